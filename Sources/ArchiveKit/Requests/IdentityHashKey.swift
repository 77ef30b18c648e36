import Crypto
import Foundation

/// The node's secret for hashing identity numbers (HMAC-SHA256). It must be kept apart from the
/// database — whoever has both can test candidate numbers — and never changed once requests are
/// stored, or their hashes stop matching.
///
/// Holds raw bytes rather than a `SymmetricKey` so callers need not import Crypto.
public struct IdentityHashKey: Sendable, Equatable {
    public let bytes: [UInt8]

    /// The shortest key accepted: 256 bits, the size of the HMAC-SHA256 output.
    public static let minimumByteCount = 32

    /// Nil when the key is shorter than `minimumByteCount` bytes: a short key would make the
    /// hashes guessable.
    public init?(bytes: [UInt8]) {
        guard bytes.count >= Self.minimumByteCount else { return nil }
        self.bytes = bytes
    }

    /// A fresh random key, for a new node's configuration.
    public static func generate() -> IdentityHashKey {
        IdentityHashKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })!
    }

    func hash(_ normalisedNumber: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(normalisedNumber.utf8), using: SymmetricKey(data: bytes))
        return mac.map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
    }
}
