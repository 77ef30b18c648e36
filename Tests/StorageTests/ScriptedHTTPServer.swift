import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers each request with whatever the test's script
/// says (raw bytes, then it closes the connection). For the faults a real server will not produce
/// on demand: 503s, a body cut off mid-way. It records every request head it gets.
final class ScriptedHTTPServer: @unchecked Sendable {
    /// Given the request number (0, 1, …) and its head, the raw response bytes.
    typealias Script = @Sendable (_ index: Int, _ head: String) -> Data

    let port: Int
    private let listener: Int32
    private let script: Script
    private let lock = NSLock()
    private var heads: [String] = []

    init(_ script: @escaping Script) throws {
        self.script = script
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return heads
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        // The head, then as much body as Content-Length says, so the client is never cut off mid-send.
        while received.range(of: Data("\r\n\r\n".utf8)) == nil {
            let n = recv(connection, &buffer, buffer.count, 0)
            if n <= 0 { return }
            received.append(contentsOf: buffer[0..<n])
        }
        let end = received.range(of: Data("\r\n\r\n".utf8))!
        let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        var bodyBytes = received.count - end.upperBound
        while bodyBytes < length {
            let n = recv(connection, &buffer, buffer.count, 0)
            if n <= 0 { break }
            bodyBytes += n
        }
        lock.lock()
        let index = heads.count
        heads.append(head)
        lock.unlock()
        let response = script(index, head)
        response.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(connection, raw.baseAddress! + sent, raw.count - sent, Self.sendFlags)
                if n <= 0 { return }
                sent += n
            }
        }
    }

    #if canImport(Glibc)
    static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    static let sendFlags: Int32 = 0
    #endif

    /// A complete response.
    static func response(_ status: Int, _ reason: String, headers: [String] = [], body: String = "") -> Data {
        var text = "HTTP/1.1 \(status) \(reason)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        for header in headers { text += header + "\r\n" }
        return Data((text + "\r\n" + body).utf8)
    }
}
