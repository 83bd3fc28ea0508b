import Archiver
import Foundation
import HTTPServerKit
import InternetArchive
import Mapillary
import Packaging
import Testing
import TestSupport

/// Creator usernames come from the API: hostile ones must never put a control or formatting character into a
/// line of the report, must stay recoverable in JSON, and must not be offered as usernames.
@Suite struct DiscoveryReportTests {
    /// An API whose one area answer lists images of creators with hostile names (and one without a creator).
    static func hostileAPI() throws -> HTTPServer {
        let records = [
            ("1", "ali\nce"), ("2", "\u{202E}gnp.exe"), ("3", " padded"), ("4", "bob"), ("5", "bob"),
            ("6", "zoë"), ("7", "\u{1B}[31mred"), ("8", nil),
        ]
        let data = records.map { id, name in
            let creator = name.map { ", \"creator\": {\"username\": " + Self.jsonString($0) + ", \"id\": \"9\"}" } ?? ""
            return "{\"id\": \"\(id)\"\(creator)}"
        }
        let body = Array(("{\"data\": [" + data.joined(separator: ",") + "]}").utf8)
        return try HTTPServer(port: 0) { _, response in
            response.send(status: 200, headers: [("Content-Type", "application/json")], body: body)
        }
    }

    static func jsonString(_ text: String) -> String {
        String(
            decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed]), as: UTF8.self
        )
        .dropFirst().dropLast().description
    }

    @Test func hostileUsernamesAreMarkedEscapedInTheTableAndExactInTheJSON() async throws {
        let server = try Self.hostileAPI()
        let temp = try TemporaryDirectory("discover-report")
        defer { temp.remove() }
        let env = RunEnvironment(
            console: Console(options: .init(isTerminal: false, color: false, quiet: true)) { _ in })
        defer { env.shutdown() }
        let area = try DiscoveryArea(parsing: "13.4,52.5,13.45,52.55")
        let options = DiscoveryOptions(
            area: area, token: "MLY|1|secret", apiURL: server.baseURL,
            statePath: temp.file("state.sqlite"), retry: fastRetry)
        let report = try await AreaDiscovery(options: options, env: env).report(minImages: 1, excludeArchivedAt: nil)

        #expect(report.result.images == 8 && report.result.imagesWithoutCreator == 1)
        #expect(report.rows.first?.username == "bob" && report.rows.first?.images == 2)
        #expect(report.usableUsernames.sorted() == ["bob", "zoë"])
        let refused = report.rows.filter { !$0.usable }
        #expect(Set(refused.map(\.username)) == ["ali\nce", "\u{202E}gnp.exe", " padded", "\u{1B}[31mred"])
        #expect(refused.allSatisfy { $0.problem != nil })

        let table = report.table()
        for line in table.split(separator: "\n", omittingEmptySubsequences: false) {
            let bad = line.unicodeScalars.filter {
                [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory)
            }
            #expect(bad.isEmpty, "a raw control or formatting character in \(line.debugDescription)")
        }
        #expect(table.contains("ali\\u{a}ce") && table.contains("\\u{202e}gnp.exe") && table.contains("\\u{1b}[31mred"))
        #expect(
            table.contains(
                "not usable: the username \"ali\\nce\" contains the control or formatting character U+000A at position 4"
            ))
        #expect(table.contains("; 1 images without a creator"))

        let json = report.json()
        #expect(!json.unicodeScalars.contains("\u{202E}") && !json.unicodeScalars.contains("\u{1B}"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let names = (object["creators"] as? [[String: Any]])?.compactMap { $0["username"] as? String } ?? []
        #expect(Set(names) == ["bob", "zoë", "ali\nce", "\u{202E}gnp.exe", " padded", "\u{1B}[31mred"])
        server.stop()
    }

    @Test func itemsMatchTheirUserByMetadataOrByIdentifierAtAnyQualityAlsoForMappedNames() {
        let mapped = IdentifierRule.mapillaryIdentifier(user: "Zoë Smith", quality: "2048", webp: true)
        let items: [ScrapedItem] = [
            .init(fields: ["identifier": ["mapillary-alice-original-webp"], "mapillary_user": ["alice"]]),
            .init(fields: ["identifier": ["mapillary-alice-256"]]),
            .init(fields: ["identifier": ["renamed-item"], "mapillary_user": ["bob"]]),
            .init(fields: ["identifier": [mapped]]),
            .init(fields: ["identifier": ["mapillary-carol-1024"]]),
            .init(fields: ["identifier": ["mapillary-alice2-256"]]),
        ]
        let found = ArchivedUserLookup.match(items, users: ["alice", "bob", "Zoë Smith", "dave"])
        #expect(
            found == [
                "alice": ["mapillary-alice-256", "mapillary-alice-original-webp"], "bob": ["renamed-item"],
                "Zoë Smith": [mapped],
            ])
    }
}
