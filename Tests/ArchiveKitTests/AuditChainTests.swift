import XCTest
import ArchiveKit

/// The audit trail (审计日志) is a hash chain: any change, removal or reordering of entries must
/// be found, and reported at the first entry that no longer fits.
final class AuditChainTests: XCTestCase {

    private static let start: Int64 = 1_700_000_000_000
    private static let actions = ["auth.login", "item.create", "item.update", "user.role", "auth.login.failed"]

    /// A chain of `count` entries built the way the server appends them.
    private func chain(_ count: Int = 50) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var prev = AuditChain.genesis
        for i in 1...count {
            let e = AuditEntry.make(seq: Int64(i), at: Self.start + Int64(i) * 1_000, actor: "user\(i % 3)",
                                    action: Self.actions[i % Self.actions.count], subject: "item-\(i)",
                                    detail: #"{"i":\#(i),"title":"题名\#(i)"}"#, prevHash: prev)
            entries.append(e)
            prev = e.hash
        }
        return entries
    }

    private func verify(_ entries: [AuditEntry], headSeq: Int64? = nil, headHash: String? = nil) -> AuditChain.Verdict {
        AuditChain.verify(entries, headSeq: headSeq ?? entries.last?.seq ?? 0,
                          headHash: headHash ?? entries.last?.hash ?? AuditChain.genesis)
    }

    private func assertBroken(_ verdict: AuditChain.Verdict, at seq: Int64, _ message: String = "",
                              file: StaticString = #filePath, line: UInt = #line) {
        guard case .broken(let got, let reason) = verdict else {
            return XCTFail("expected broken at \(seq), got \(verdict) \(message)", file: file, line: line)
        }
        XCTAssertEqual(got, seq, "\(message): \(reason)", file: file, line: line)
        XCTAssertFalse(reason.isEmpty, file: file, line: line)
    }

    // MARK: - Intact chains

    func testFreshChainOfFiftyIsIntact() {
        let c = chain()
        XCTAssertEqual(c.count, 50)
        XCTAssertEqual(c.map(\.seq), Array(1...50))
        XCTAssertEqual(c[0].prevHash, AuditChain.genesis)
        for i in 1..<c.count {
            XCTAssertEqual(c[i].prevHash, c[i - 1].hash, "entry \(i + 1) links to entry \(i)")
        }
        XCTAssertEqual(Set(c.map(\.hash)).count, 50, "every entry has its own hash")
        XCTAssertEqual(AuditChain.verify(c, headSeq: 50, headHash: c[49].hash), .intact(entries: 50))
    }

    func testEmptyChainIsIntact() {
        XCTAssertEqual(AuditChain.verify([AuditEntry](), headSeq: 0, headHash: AuditChain.genesis), .intact(entries: 0))
    }

    func testGenesisIsSixtyFourZeros() {
        XCTAssertEqual(AuditChain.genesis, String(repeating: "0", count: 64))
    }

    func testEmptyChainWhenTheHeadSaysThereWereEntries() {
        // Someone deleted the whole trail but the node remembers it had 3 entries.
        assertBroken(AuditChain.verify([AuditEntry](), headSeq: 3, headHash: "abc"), at: 1)
    }

    func testVerifierCanBeFedOneEntryAtATime() {
        let c = chain(10)
        var v = AuditChain.Verifier()
        for e in c { XCTAssertTrue(v.feed(e)) }
        XCTAssertNil(v.verdict)
        XCTAssertEqual(v.finish(headSeq: 10, headHash: c[9].hash), .intact(entries: 10))
    }

    func testVerifierStopsAtTheFirstBreak() {
        var c = chain(10)
        c[3].detail = "{}"
        var v = AuditChain.Verifier()
        XCTAssertTrue(v.feed(c[0]))
        XCTAssertTrue(v.feed(c[1]))
        XCTAssertTrue(v.feed(c[2]))
        XCTAssertFalse(v.feed(c[3]))
        XCTAssertFalse(v.feed(c[4]), "a broken chain accepts nothing more")
        assertBroken(v.finish(headSeq: 10, headHash: c[9].hash), at: 4)
    }

    // MARK: - Changed entries

    func testChangingAnyFieldOfAnyEntryBreaksTheChainThere() {
        let fields: [(String, (inout AuditEntry) -> Void)] = [
            ("actor", { $0.actor += "x" }),
            ("detail", { $0.detail = #"{"i":0}"# }),
            ("at", { $0.at += 1 }),
            ("action", { $0.action = "item.delete" }),
            ("subject", { $0.subject = "item-999" }),
        ]
        let original = chain()
        for k in 1...50 {
            for (name, change) in fields {
                var c = original
                change(&c[k - 1])
                assertBroken(verify(c, headSeq: 50, headHash: original[49].hash), at: Int64(k), "\(name) of \(k)")
            }
        }
    }

    func testChangingTheStoredPrevHashOrHashBreaksTheChainThere() {
        let original = chain()
        for k in [1, 2, 25, 50] {
            var c = original
            c[k - 1].prevHash = String(repeating: "f", count: 64)
            assertBroken(verify(c, headSeq: 50, headHash: original[49].hash), at: Int64(k), "prevHash of \(k)")

            c = original
            c[k - 1].hash = String(repeating: "a", count: 64)
            assertBroken(verify(c, headSeq: 50, headHash: original[49].hash), at: Int64(k), "hash of \(k)")
        }
    }

    func testAttackerWhoRewritesTheHashIsCaughtByTheNextLink() {
        let original = chain()
        for k in 1...49 {
            var c = original
            c[k - 1].actor = "intruder"
            c[k - 1].hash = c[k - 1].computedHash
            assertBroken(verify(c, headSeq: 50, headHash: original[49].hash), at: Int64(k + 1),
                         "rewrite of \(k) is caught at \(k + 1)")
        }
    }

    func testAttackerWhoRewritesTheLastEntryIsCaughtByTheHead() {
        var c = chain()
        c[49].detail = "{}"
        c[49].hash = c[49].computedHash
        assertBroken(verify(c, headSeq: 50, headHash: chain()[49].hash), at: 50)
    }

    func testAttackerWhoRebuildsTheTailIsCaughtByTheHead() {
        // Rewriting entry 20 and re-making every entry after it gives a self-consistent chain;
        // only the head hash the node recorded separately catches it.
        let original = chain()
        var c = Array(original[0..<19])
        var prev = c[18].hash
        for e in original[19...] {
            let forged = AuditEntry.make(seq: e.seq, at: e.at, actor: e.seq == 20 ? "intruder" : e.actor,
                                         action: e.action, subject: e.subject, detail: e.detail, prevHash: prev)
            c.append(forged)
            prev = forged.hash
        }
        XCTAssertEqual(verify(c), .intact(entries: 50), "the forged chain is consistent in itself")
        assertBroken(verify(c, headSeq: 50, headHash: original[49].hash), at: 50)
    }

    // MARK: - Removed, reordered, replayed entries

    func testDeletingAMiddleEntryReportsTheMissingSeq() {
        let original = chain()
        for k in 2...49 {
            var c = original
            c.remove(at: k - 1)
            let verdict = verify(c, headSeq: 50, headHash: original[49].hash)
            assertBroken(verdict, at: Int64(k), "deleted \(k)")
            if case .broken(_, let reason) = verdict {
                XCTAssertTrue(reason.contains("\(k)"), reason)
            }
        }
    }

    func testDeletingTheFirstEntry() {
        let original = chain()
        assertBroken(verify(Array(original.dropFirst()), headSeq: 50, headHash: original[49].hash), at: 1)
    }

    func testDeletingTheLastEntryIsCaughtByTheHeadSeq() {
        let original = chain()
        let c = Array(original.dropLast())
        // Without the head the shortened chain would look fine: that is why the head is kept.
        XCTAssertEqual(verify(c), .intact(entries: 49))
        assertBroken(verify(c, headSeq: 50, headHash: original[49].hash), at: 50)
    }

    func testTruncatingTheTail() {
        let original = chain()
        assertBroken(verify(Array(original.prefix(45)), headSeq: 50, headHash: original[49].hash), at: 46)
    }

    func testHeadThatDoesNotMatchTheLastEntry() {
        let c = chain()
        assertBroken(verify(c, headSeq: 49, headHash: c[48].hash), at: 50, "head behind the chain")
        assertBroken(verify(c, headSeq: 50, headHash: c[48].hash), at: 50, "wrong head hash")
        assertBroken(verify(c, headSeq: 50, headHash: AuditChain.genesis), at: 50, "genesis as head hash")
    }

    func testReorderingIsCaught() {
        let original = chain()
        for k in 1...49 {
            var c = original
            c.swapAt(k - 1, k)
            assertBroken(verify(c, headSeq: 50, headHash: original[49].hash), at: Int64(k), "swapped \(k) and \(k + 1)")
        }
        assertBroken(verify(original.reversed(), headSeq: 50, headHash: original[49].hash), at: 1, "reversed")
    }

    func testReorderingWithRenumberingIsCaught() {
        // Swap entries 10 and 11 and give them each other's seq: the seq check passes, the links do not.
        let original = chain()
        var c = original
        c.swapAt(9, 10)
        c[9].seq = 10
        c[10].seq = 11
        assertBroken(verify(c, headSeq: 50, headHash: original[49].hash), at: 10)
    }

    func testReplayedEntryIsCaught() {
        let original = chain()
        var c = original
        c.insert(original[9], at: 10)
        assertBroken(verify(c, headSeq: 50, headHash: original[49].hash), at: 11)
    }

    func testFirstEntryMustStartFromGenesis() {
        let e = AuditEntry.make(seq: 1, at: Self.start, actor: "admin", action: "auth.login", subject: "admin",
                                detail: "{}", prevHash: String(repeating: "1", count: 64))
        assertBroken(AuditChain.verify([e], headSeq: 1, headHash: e.hash), at: 1)
    }

    // MARK: - The hash itself

    /// Pinned value. Old chains stored in every node's database were hashed with this scheme;
    /// any change to it (field order, encoding, the "lantai-audit-v1" tag, hex case) would make
    /// every existing trail verify as broken. If this fails, the hashing changed: version it
    /// (a new tag for new entries) instead of editing the old scheme, and do not just update
    /// this constant. The value was computed once by running the code and cross-checked with an
    /// independent implementation (Python hashlib, same length-prefixed encoding).
    func testHashIsStable() {
        let e = AuditEntry.make(seq: 1, at: 1_700_000_000_000, actor: "admin", action: "item.create",
                                subject: "item-1", detail: #"{"title":"关于2015年度工作总结的报告"}"#,
                                prevHash: AuditChain.genesis)
        XCTAssertEqual(e.hash, "9ff8311a3699129d18dda836a0db5f081100f4699c8dbf8644e02c4c2685d726")
        XCTAssertEqual(e.computedHash, e.hash)
    }

    func testHashIsLowercaseHexSHA256() {
        for e in chain(5) {
            XCTAssertEqual(e.hash.count, 64)
            XCTAssertTrue(e.hash.allSatisfy { "0123456789abcdef".contains($0) }, e.hash)
        }
    }

    func testFieldBoundariesCannotBeShifted() {
        // Length prefixes: moving characters from one field to the next changes the hash.
        let g = AuditChain.genesis
        let a = AuditEntry.make(seq: 1, at: 5, actor: "ab", action: "c", subject: "d", detail: "", prevHash: g)
        let b = AuditEntry.make(seq: 1, at: 5, actor: "a", action: "bc", subject: "d", detail: "", prevHash: g)
        let c = AuditEntry.make(seq: 1, at: 5, actor: "a", action: "b", subject: "cd", detail: "", prevHash: g)
        let d = AuditEntry.make(seq: 1, at: 5, actor: "a", action: "b", subject: "c", detail: "d", prevHash: g)
        XCTAssertEqual(Set([a.hash, b.hash, c.hash, d.hash]).count, 4)
        // seq and at are separate fields too: 1|15 is not 11|5.
        let e = AuditEntry.make(seq: 1, at: 15, actor: "", action: "", subject: "", detail: "", prevHash: g)
        let f = AuditEntry.make(seq: 11, at: 5, actor: "", action: "", subject: "", detail: "", prevHash: g)
        XCTAssertNotEqual(e.hash, f.hash)
    }

    func testHashCoversSeqAndPrevHash() {
        let g = AuditChain.genesis
        let base = AuditEntry.make(seq: 1, at: 5, actor: "a", action: "b", subject: "c", detail: "d", prevHash: g)
        let otherSeq = AuditEntry.make(seq: 2, at: 5, actor: "a", action: "b", subject: "c", detail: "d", prevHash: g)
        let otherPrev = AuditEntry.make(seq: 1, at: 5, actor: "a", action: "b", subject: "c", detail: "d",
                                        prevHash: String(repeating: "1", count: 64))
        XCTAssertNotEqual(base.hash, otherSeq.hash)
        XCTAssertNotEqual(base.hash, otherPrev.hash)
    }
}
