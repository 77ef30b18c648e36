import Foundation
@testable import LantaiServer
import XCTest

/// LANTAI_STORAGE_URL, LANTAI_REPLICA_URLS and the policy: every problem listed at once at
/// start-up, secrets never printed. No server or S3 needed.
final class StorageConfigurationTests: XCTestCase {
    let keys = ["LANTAI_S3_ACCESS_KEY": "AKIDEXAMPLE", "LANTAI_S3_SECRET_KEY": "very-secret-key-123"]

    func config(_ env: [String: String]) throws -> LantaiConfiguration {
        try LantaiConfiguration.fromEnvironment(["LANTAI_DATA_DIR": NSTemporaryDirectory() + "lantai-cfg-\(UUID().uuidString)"].merging(env) { _, b in b })
    }

    func testAnS3PrimaryAndReplicasAreParsedAndPrintedWithoutSecrets() throws {
        let c = try config(keys.merging([
            "LANTAI_STORAGE_URL": "s3://lantai-aip/node1?endpoint=http://127.0.0.1:8333&region=us-east-1",
            "LANTAI_REPLICA_URLS": "offsite=s3://lantai-dr?endpoint=https://s3.example.org; tape=/mnt/export",
            "LANTAI_OFFSITE": "offsite",
            "LANTAI_S3_ACCESS_KEY_OFFSITE": "OTHERKEY", "LANTAI_S3_SECRET_KEY_OFFSITE": "other-secret",
            "LANTAI_MIN_COPIES_FONDS": "J012=3",
        ]) { _, b in b })
        XCTAssertEqual(c.storage.primary.kind, .s3)
        XCTAssertEqual(c.storage.primary.s3?.bucket, "lantai-aip")
        XCTAssertEqual(c.storage.primary.s3?.keyPrefix, "node1/")
        XCTAssertEqual(c.storage.replicas.map(\.name), ["offsite", "tape"])
        XCTAssertEqual(c.storage.replicas[0].s3?.accessKey, "OTHERKEY", "a location's own keys win")
        XCTAssertEqual(c.storage.replicas[1].kind, .directory)
        XCTAssertTrue(c.storage.replicas[0].offsite)
        XCTAssertEqual(c.storage.minCopies, 2)
        XCTAssertEqual(c.storage.minCopies(fonds: "J012"), 3)
        XCTAssertEqual(c.storage.minCopies(fonds: "J001"), 2)
        let printed = c.summary.joined(separator: "\n")
        XCTAssertTrue(printed.contains("LANTAI_STORAGE_URL=s3://lantai-aip/node1?endpoint=http://127.0.0.1:8333"), printed)
        XCTAssertTrue(printed.contains("offsite=s3://lantai-dr"), printed)
        XCTAssertTrue(printed.contains("LANTAI_S3_SECRET_KEY=****"), printed)
        XCTAssertFalse(printed.contains("very-secret-key-123") || printed.contains("other-secret"), printed)
    }

    func testEveryStorageProblemIsListedAtOnce() {
        XCTAssertThrowsError(try config([
            "LANTAI_STORAGE_URL": "s3://Bad_Bucket?endpoint=ftp://x",
            "LANTAI_REPLICA_URLS": "offsite=s3://lantai-dr?endpoint=http://127.0.0.1:1;Tape=/x;broken;same=/tmp/a;same=/tmp/b;ftp=ftp://host/x",
            "LANTAI_OFFSITE": "nowhere",
            "LANTAI_MIN_COPIES": "9",
        ])) { error in
            let text = String(describing: error)
            for expected in ["LANTAI_STORAGE_URL", "Bad_Bucket", "LANTAI_S3_ACCESS_KEY is not set", "location name \"Tape\"",
                             "\"broken\"", "same", "ftp://host/x", "LANTAI_OFFSITE", "nowhere", "LANTAI_MIN_COPIES=9"] {
                XCTAssertTrue(text.contains(expected), "\(expected) in: \(text)")
            }
        }
    }

    func testADirectoryIsStillTheDefaultAndFileURLsWork() throws {
        let c = try config([:])
        XCTAssertEqual(c.storage.primary.kind, .directory)
        XCTAssertTrue(c.storagePath.hasSuffix("/ocfl"))
        XCTAssertEqual(c.storage.minCopies, 1)
        XCTAssertTrue(c.storage.replicas.isEmpty)
        let f = try config(["LANTAI_STORAGE_URL": "file:///srv/lantai/ocfl"])
        XCTAssertEqual(f.storagePath, "/srv/lantai/ocfl")
    }
}
