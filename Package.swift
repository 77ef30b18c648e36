// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "lantai",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lantai", targets: ["lantai"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
    ],
    targets: [
        // Domain rules: no I/O, no Vapor.
        .target(
            name: "ArchiveKit",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // zlib from the system (Debian: zlib1g-dev) for ZIP entries.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Formats: BagIt, OCFL, METS, PREMIS, ZIP/TAR, format identification, SM3. Files only, no database.
        .target(
            name: "Packaging",
            dependencies: ["CZlib", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Transfer checks (四性检测): domain rules over unpacked packages, no database.
        .target(
            name: "Ingest",
            dependencies: ["ArchiveKit", "Packaging"]
        ),
        // Archival storage: BlobStore (file system; S3 with SigV4 over AsyncHTTPClient), OCFL on any BlobStore.
        .target(name: "Storage", dependencies: [
            "Packaging",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // Search: tokenizer (CJK bigrams + words, NFKC, case-folded, traditional → simplified by
        // OpenCC), query parser, FTS5 / PostgreSQL renderers, snippets. Foundation only.
        .target(name: "Search", exclude: ["OpenCC-LICENSE.txt", "OpenCC-SOURCES.md"]),
        .target(
            name: "LantaiServer",
            dependencies: [
                "ArchiveKit",
                "Search",
                "Storage",
                "Ingest",
                "Packaging",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ]
        ),
        .executableTarget(
            name: "lantai",
            dependencies: [
                "LantaiServer",
                "Packaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ArchiveKitTests", dependencies: ["ArchiveKit"]),
        .testTarget(name: "PackagingTests", dependencies: ["Packaging"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest"]),
        .testTarget(name: "SearchTests", dependencies: ["Search"]),
        .testTarget(name: "StorageTests", dependencies: [
            "Storage", "Packaging",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(
            name: "LantaiServerTests",
            dependencies: [
                "LantaiServer",
                "Ingest",
                "Packaging",
                "Search",
                "Storage",
                .product(name: "XCTVapor", package: "vapor"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ]
)
