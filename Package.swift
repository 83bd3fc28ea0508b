// swift-tools-version: 6.1
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "mapillary-archiver",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mapillary-archiver", targets: ["mapillary-archiver"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries: module maps and shim headers only, no logic.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebpmux", providers: [.apt(["libwebp-dev"]), .brew(["webp"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"]), .brew(["openssl"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CRename"),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),

        // Libraries: all logic lives here.
        .target(name: "Essentials", dependencies: ["COpenSSL"], swiftSettings: swift6),
        .target(name: "HTTPClientKit", dependencies: ["CCurl", "Essentials"], swiftSettings: swift6),
        .target(name: "HTTPServerKit", dependencies: ["Essentials"], swiftSettings: swift6),
        .target(name: "SQLiteStore", dependencies: ["CSQLite"], swiftSettings: swift6),
        .target(name: "Campaign", dependencies: ["SQLiteStore", "CLibPQ", "Essentials"], swiftSettings: swift6),
        .target(name: "CampaignPage", dependencies: ["Campaign", "HTTPServerKit", "Essentials"], swiftSettings: swift6),
        .target(name: "Mapillary", dependencies: ["HTTPClientKit", "Essentials",
                                                  .product(name: "Logging", package: "swift-log")], swiftSettings: swift6),
        .target(name: "Imaging", dependencies: ["CTurboJPEG", "CWebP", "Essentials"], swiftSettings: swift6),
        .target(name: "Packaging", dependencies: ["CArchive", "CRename", "CZlib", "Essentials", "Imaging"], swiftSettings: swift6),
        .target(name: "InternetArchive", dependencies: ["HTTPClientKit", "SQLiteStore", "Essentials", "Packaging",
                                                        .product(name: "Logging", package: "swift-log")], swiftSettings: swift6),
        .target(name: "Archiver", dependencies: ["Mapillary", "Imaging", "Packaging", "InternetArchive", "SQLiteStore", "Campaign",
                                                 "HTTPClientKit", "Essentials", "CMalloc",
                                                 .product(name: "Logging", package: "swift-log")], swiftSettings: swift6),
        .target(name: "SandboxKit", dependencies: ["HTTPServerKit", "Essentials", "CTurboJPEG"], swiftSettings: swift6),
        .target(name: "ArchiverDemo", dependencies: ["Archiver", "SandboxKit", "InternetArchive", "Packaging", "Essentials"],
                swiftSettings: swift6),
        .executableTarget(name: "mapillary-archiver", dependencies: [
            "Archiver", "ArchiverDemo", "Campaign", "CampaignPage", "Essentials", "HTTPClientKit", "InternetArchive",
            "Mapillary", "Packaging", "SandboxKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: swift6),

        // Tests (Swift Testing). TestSupport is shared fixtures: temp folders, sandbox on port 0, external readers.
        .target(name: "TestSupport", dependencies: ["SandboxKit"], path: "Tests/TestSupport", swiftSettings: swift6),
        .testTarget(name: "EssentialsTests", dependencies: ["Essentials", "TestSupport"], swiftSettings: swift6),
        .testTarget(name: "SQLiteStoreTests", dependencies: ["SQLiteStore", "TestSupport"], swiftSettings: swift6),
        .testTarget(name: "HTTPClientKitTests", dependencies: ["HTTPClientKit", "HTTPServerKit", "Essentials", "TestSupport"],
                    swiftSettings: swift6),
        .testTarget(name: "HTTPServerKitTests", dependencies: ["HTTPServerKit"], swiftSettings: swift6),
        .testTarget(name: "MapillaryTests", dependencies: ["Mapillary", "HTTPClientKit", "HTTPServerKit", "SandboxKit", "TestSupport",
                                                          .product(name: "Logging", package: "swift-log")], swiftSettings: swift6),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"], swiftSettings: swift6),
        .testTarget(name: "PackagingTests", dependencies: ["Packaging", "Essentials", "TestSupport"], swiftSettings: swift6),
        .testTarget(name: "InternetArchiveTests", dependencies: ["InternetArchive", "Essentials", "HTTPClientKit", "HTTPServerKit", "SandboxKit",
                                                                "TestSupport", .product(name: "Logging", package: "swift-log")],
                    swiftSettings: swift6),
        .testTarget(name: "ArchiverTests", dependencies: ["Archiver", "Campaign", "Essentials", "HTTPClientKit", "HTTPServerKit", "InternetArchive",
                                                         "Mapillary", "Packaging", "SandboxKit", "SQLiteStore", "TestSupport"],
                    swiftSettings: swift6),
        .testTarget(name: "CampaignTests", dependencies: ["Campaign", "SQLiteStore", "TestSupport"], swiftSettings: swift6),
        .testTarget(name: "CampaignPageTests", dependencies: ["CampaignPage", "Campaign", "HTTPClientKit", "TestSupport"],
                    swiftSettings: swift6),
        .testTarget(name: "CLITests", dependencies: ["Archiver", "HTTPServerKit", "SandboxKit", "SQLiteStore", "Campaign", "TestSupport"],
                    exclude: ["Browser"], swiftSettings: swift6),
    ]
)

// Benchmarks are not part of the product: build them with MAPILLARY_ARCHIVER_BENCH=1 (scripts/bench-imaging.sh).
if Context.environment["MAPILLARY_ARCHIVER_BENCH"] != nil {
    package.targets.append(.executableTarget(name: "imaging-bench", dependencies: ["Imaging"],
                                             path: "Benchmarks/ImagingBench", swiftSettings: swift6))
    package.targets.append(.executableTarget(name: "queue-bench", dependencies: ["Campaign"],
                                             path: "Benchmarks/QueueBench", swiftSettings: swift6))
}

// Fuzz targets are not part of the product either: built with MAPILLARY_ARCHIVER_FUZZ=1 and libFuzzer's
// instrumentation (scripts/fuzz.sh, `make fuzz`; docs/fuzzing.md). They reach internal parsers through
// `@testable import`, so that build passes -enable-testing.
if Context.environment["MAPILLARY_ARCHIVER_FUZZ"] != nil {
    package.targets += [
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .executableTarget(name: "parser-fuzz", dependencies: [
            "CLibFuzzer", "CWebP", "Imaging", "Mapillary", "InternetArchive", "Packaging", "HTTPClientKit", "SandboxKit",
            "Essentials", .product(name: "Logging", package: "swift-log"),
        ], path: "Fuzz/ParserFuzz", swiftSettings: swift6),
    ]
}
