import DossierIO

/// Where the shipped sample organisation lives, so commands have a default that needs no set-up.
///
/// The sample is the `fixtures/` folder of the checkout: found in the working directory first
/// (a user in a clone), then beside the sources this binary was built from (`swift run` anywhere).
public enum SampleData {
    public static var fixtures: String? {
        let candidates = ["fixtures", checkoutRoot + "/fixtures"]
        return candidates.first { FileSystem.isDirectory($0 + "/dossiers") }
    }

    /// The canonical dossiers of the invented organisation "Zorggroep De Linde".
    public static var dossiers: String? { fixtures.map { $0 + "/dossiers" } }

    /// Its organisation configuration (controller, purposes, retention).
    public static var organisation: String? { fixtures.map { $0 + "/organisation.json" } }

    private static var checkoutRoot: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3) // Sources/Dossierport/SampleData.swift
        return parts.joined(separator: "/")
    }
}
