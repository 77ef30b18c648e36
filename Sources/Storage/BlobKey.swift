import Foundation

/// The rules for object keys, shared by every ``BlobStore``.
///
/// A key is a `/`-separated relative path: `extensions/0004/config.json`, `3c0/ff4/…/v1/content/正文.pdf`.
/// The rules are the intersection of what a file system and S3 can both hold without surprises,
/// so the same key means the same thing on either:
/// - not empty, at most 1024 UTF-8 bytes (S3's limit);
/// - no leading `/`, no empty segment (so no `//` and no trailing `/`), no `.` or `..` segment —
///   on a file system those would escape the root or alias another key;
/// - no NUL and no other C0 control character or DEL — file systems refuse NUL, and S3 cannot
///   return control characters in its XML listings;
/// - the first segment is not ``FileSystemBlobStore/temporaryDirectoryName``, which the file
///   system store keeps for writes in progress.
public enum BlobKey {
    public static let maximumLength = 1024

    /// Why `key` is not a valid key, or nil if it is.
    public static func problem(_ key: String) -> String? {
        if key.isEmpty { return "the key is empty" }
        if key.utf8.count > maximumLength { return "longer than \(maximumLength) bytes" }
        if key.hasPrefix("/") { return "starts with /" }
        if key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "contains NUL or another control character"
        }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            if segment.isEmpty { return "has an empty path segment (// or a trailing /)" }
            if segment == "." || segment == ".." { return "has a . or .. segment" }
        }
        if segments.first.map(String.init) == FileSystemBlobStore.temporaryDirectoryName {
            return "\(FileSystemBlobStore.temporaryDirectoryName) is reserved for writes in progress"
        }
        return nil
    }

    /// Throws ``StorageError/Kind/invalidKey`` unless `key` follows the rules.
    public static func validate(_ key: String) throws {
        if let problem = problem(key) {
            throw StorageError(.invalidKey, key: printable(key), problem)
        }
    }

    /// A listing prefix: `""` (everything), a key, a key followed by `/`, or a key cut off
    /// inside its last segment (`a/b` also matches `a/bc`).
    public static func validatePrefix(_ prefix: String) throws {
        if prefix.isEmpty { return }
        try validate(prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
    }

    /// The key with control characters made visible, for error messages.
    static func printable(_ key: String) -> String {
        String(String.UnicodeScalarView(key.unicodeScalars.flatMap { scalar -> [Unicode.Scalar] in
            scalar.value < 0x20 || scalar.value == 0x7F ? Array(scalar.escaped(asASCII: true).unicodeScalars) : [scalar]
        }))
    }

    /// Orders keys the way S3 lists them: by their UTF-8 bytes.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
