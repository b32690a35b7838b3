// swift-tools-version:6.0
// Dossierport: carries Dutch care providers' client records between systems under the GDPR.
// No SwiftPM package dependencies: Foundation plus system libxml2, zlib and libcrypto.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Dossierport",
    products: [
        .library(name: "Dossierport", targets: ["Dossierport"]),
        .executable(name: "dossierport", targets: ["dossierport"]),
    ],
    targets: [
        // System libraries: each is imported by exactly one Swift module, which wraps it.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLinux"),

        // source → adapter → dossier → writer → bundle
        .target(name: "DossierModel", swiftSettings: strict),
        .target(name: "DossierIO", dependencies: ["CLinux", "DossierModel"], swiftSettings: strict),
        .target(name: "DossierCrypto", dependencies: ["CLibCrypto", "DossierIO"], swiftSettings: strict),
        .target(name: "DossierPolicy", dependencies: ["DossierModel", "DossierCrypto"], swiftSettings: strict),
        .target(name: "DossierXML", dependencies: ["CLibXML2", "DossierModel", "DossierIO"], swiftSettings: strict),
        .target(name: "DossierFormats", dependencies: ["DossierModel", "DossierIO", "DossierXML", "DossierPolicy"], swiftSettings: strict),
        .target(name: "DossierSources", dependencies: ["DossierModel", "DossierIO", "DossierXML", "DossierFormats"], swiftSettings: strict),
        .target(name: "DossierBundle", dependencies: ["CZlib", "DossierModel", "DossierIO", "DossierCrypto", "DossierFormats", "DossierPolicy"], swiftSettings: strict),
        .target(name: "Dossierport", dependencies: ["DossierModel", "DossierIO", "DossierCrypto", "DossierXML", "DossierFormats", "DossierSources", "DossierBundle", "DossierPolicy"], swiftSettings: strict),
        .executableTarget(name: "dossierport", dependencies: ["Dossierport", "DossierModel", "DossierIO", "DossierCrypto", "DossierPolicy", "DossierBundle"], swiftSettings: strict),
        .executableTarget(name: "DossierportBenchmarks", dependencies: ["Dossierport", "DossierFormats", "DossierModel", "DossierIO"], swiftSettings: strict),
        .executableTarget(name: "DossierportFuzz", dependencies: ["Dossierport", "DossierSources", "DossierFormats", "DossierModel", "DossierIO", "DossierCrypto"], swiftSettings: strict),

        .testTarget(name: "DossierModelTests", dependencies: ["DossierModel"], swiftSettings: strict),
        .testTarget(name: "DossierIOTests", dependencies: ["DossierIO"], swiftSettings: strict),
        .testTarget(name: "DossierCryptoTests", dependencies: ["DossierCrypto"], swiftSettings: strict),
        .testTarget(name: "DossierXMLTests", dependencies: ["DossierXML"], swiftSettings: strict),
        .testTarget(name: "DossierFormatsTests", dependencies: ["DossierFormats"], swiftSettings: strict),
        .testTarget(name: "DossierSourcesTests", dependencies: ["DossierSources", "DossierIO"], swiftSettings: strict),
        .testTarget(name: "DossierPolicyTests", dependencies: ["DossierPolicy"], swiftSettings: strict),
        .testTarget(name: "DossierBundleTests", dependencies: ["DossierBundle"], swiftSettings: strict),
        .testTarget(name: "DossierportTests", dependencies: ["Dossierport", "DossierModel", "DossierIO", "DossierCrypto", "DossierBundle", "DossierPolicy", "DossierFormats"], swiftSettings: strict),
        .testTarget(name: "DossierportCLITests", dependencies: ["Dossierport", "DossierIO"], swiftSettings: strict),
    ]
)
