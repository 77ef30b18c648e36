import Crypto
import Foundation

/// One entry of the audit trail (审计日志). Entries form a hash chain: each hash covers the
/// entry's fields and the previous entry's hash, so changing or removing any entry breaks
/// every hash after it.
public struct AuditEntry: Sendable, Equatable {
    /// Position in the chain, from 1, without gaps.
    public var seq: Int64
    /// Milliseconds since 1970 (integers hash the same on every database).
    public var at: Int64
    /// Who: a username, or `cli:<os user>`, or `-` for an anonymous attempt.
    public var actor: String
    /// What kind of act: `item.create`, `auth.login.failed`, `user.role` …
    public var action: String
    /// What it was done to: an id, a username.
    public var subject: String
    /// Details, as compact JSON.
    public var detail: String
    public var prevHash: String
    public var hash: String

    public init(seq: Int64, at: Int64, actor: String, action: String, subject: String, detail: String,
                prevHash: String, hash: String) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
        self.prevHash = prevHash
        self.hash = hash
    }

    /// Makes the next entry after `prevHash`.
    public static func make(seq: Int64, at: Int64, actor: String, action: String, subject: String,
                            detail: String, prevHash: String) -> AuditEntry {
        var e = AuditEntry(seq: seq, at: at, actor: actor, action: action, subject: subject, detail: detail,
                           prevHash: prevHash, hash: "")
        e.hash = e.computedHash
        return e
    }

    /// SHA-256 over length-prefixed fields, so no two different entries encode alike.
    public var computedHash: String {
        var h = SHA256()
        for field in ["lantai-audit-v1", String(seq), String(at), actor, action, subject, detail, prevHash] {
            let bytes = Array(field.utf8)
            h.update(data: Array(String(bytes.count).utf8) + [0x3A])
            h.update(data: bytes)
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

public enum AuditChain {
    /// The `prevHash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    public enum Verdict: Sendable, Equatable {
        case intact(entries: Int64)
        case broken(seq: Int64, reason: String)
    }

    /// Walks the chain in order. `headSeq` is the sequence number the node recorded for its
    /// newest entry: it catches removal of entries at the end.
    public struct Verifier {
        private var expectedSeq: Int64 = 1
        private var prevHash = AuditChain.genesis
        public private(set) var verdict: Verdict?

        public init() {}

        /// Feeds the next entry; returns false once the chain is found broken.
        public mutating func feed(_ e: AuditEntry) -> Bool {
            guard verdict == nil else { return false }
            if e.seq != expectedSeq {
                verdict = .broken(seq: expectedSeq, reason: e.seq > expectedSeq
                                  ? "entry \(expectedSeq) is missing (next found is \(e.seq))"
                                  : "entry \(e.seq) appears out of order")
                return false
            }
            if e.prevHash != prevHash {
                verdict = .broken(seq: e.seq, reason: "previous-hash link does not match entry \(e.seq - 1)")
                return false
            }
            if e.computedHash != e.hash {
                verdict = .broken(seq: e.seq, reason: "content does not match its hash (entry was changed)")
                return false
            }
            prevHash = e.hash
            expectedSeq += 1
            return true
        }

        /// Ends the walk against the recorded head of the chain.
        public mutating func finish(headSeq: Int64, headHash: String) -> Verdict {
            if let verdict { return verdict }
            let last = expectedSeq - 1
            if headSeq > last {
                verdict = .broken(seq: last + 1, reason: "entries \(last + 1)…\(headSeq) are missing")
            } else if headSeq < last || headHash != prevHash {
                verdict = .broken(seq: last, reason: "the chain head does not match the last entry")
            } else {
                verdict = .intact(entries: last)
            }
            return verdict!
        }
    }

    public static func verify<S: Sequence>(_ entries: S, headSeq: Int64, headHash: String) -> Verdict
    where S.Element == AuditEntry {
        var v = Verifier()
        for e in entries where !v.feed(e) { break }
        return v.finish(headSeq: headSeq, headHash: headHash)
    }
}
