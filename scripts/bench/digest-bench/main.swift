// digest-bench: times Lantai's digest code for scripts/bench-digest. Not a test and not part of
// the product; scripts/bench-digest builds it in a generated package next to Sources/Packaging.
//
//   digest-bench --algorithm sha256|sha512|sm3|md5|sha1 [--threads N] FILE...
//       hashes FILEs through FileDigest (streaming, 1 MiB chunks; N files at a time, default 1)
//   digest-bench --algorithm ALG --memory BYTES
//       hashes BYTES of in-memory data, no I/O: the hash function's own speed
//
// Prints one JSON object: algorithm, threads, bytes, seconds, mibPerSecond and, for files,
// the hex digests in input order (the script checks them against openssl and sha256sum).
import Dispatch
import Foundation
import Packaging

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("digest-bench: \(message)\n".utf8))
    exit(2)
}

var algorithm: DigestAlgorithm?
var threads = 1
var memoryBytes: Int?
var files: [URL] = []
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "--algorithm":
        guard let v = args.popFirst(), let a = DigestAlgorithm(name: v) else { fail("--algorithm needs one of \(DigestAlgorithm.allCases.map(\.name))") }
        algorithm = a
    case "--threads":
        guard let v = args.popFirst(), let n = Int(v), n > 0 else { fail("--threads needs a positive number") }
        threads = n
    case "--memory":
        guard let v = args.popFirst(), let n = Int(v), n > 0 else { fail("--memory needs a byte count") }
        memoryBytes = n
    default:
        if arg.hasPrefix("-") { fail("unknown option \(arg)") }
        files.append(URL(fileURLWithPath: arg))
    }
}
guard let algorithm else { fail("--algorithm is required") }

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

var result: [String: Any] = ["algorithm": algorithm.name, "threads": threads]
if let size = memoryBytes {
    var bytes = [UInt8](repeating: 0, count: size)
    var x: UInt64 = 0x2545_F491_4F6C_DD1D
    for i in bytes.indices { x ^= x << 13; x ^= x >> 7; x ^= x << 17; bytes[i] = UInt8(truncatingIfNeeded: x) }
    let start = now()
    var hasher = DigestHasher(algorithm)
    bytes.withUnsafeBytes { buf in
        // Fed in 1 MiB pieces, as FileDigest does.
        var offset = 0
        while offset < buf.count {
            let end = min(offset + (1 << 20), buf.count)
            hasher.update(UnsafeRawBufferPointer(rebasing: buf[offset ..< end]))
            offset = end
        }
    }
    let digest = hasher.finalizeHex()
    let seconds = Double(now() - start) / 1e9
    result["bytes"] = size
    result["seconds"] = seconds
    result["mibPerSecond"] = Double(size) / 1_048_576 / seconds
    result["digests"] = [digest]
} else {
    guard !files.isEmpty else { fail("no files (or --memory BYTES)") }
    var total: Int64 = 0
    for f in files {
        let size = (try? FileManager.default.attributesOfItem(atPath: f.path)[.size] as? NSNumber)?.int64Value ?? 0
        total += size
    }
    let start = now()
    let digests: [[DigestAlgorithm: String]]
    do {
        digests = try FileDigest.digests(of: files, algorithms: [algorithm], concurrency: threads)
    } catch {
        fail("\(error)")
    }
    let seconds = Double(now() - start) / 1e9
    result["bytes"] = total
    result["seconds"] = seconds
    result["mibPerSecond"] = Double(total) / 1_048_576 / seconds
    result["digests"] = digests.map { $0[algorithm] ?? "" }
}
let json = try! JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
