import Mapillary
import Testing

/// The one username rule (`download`, `--users-file`, `queue add`, `DownloadBatch`).
@Suite struct MapillaryUsernameTests {
    @Test(arguments: ["alice", "Zoë Smith", "a.b-c_d", String(repeating: "x", count: 100)])
    func usernamesTheToolCanArchiveAreAccepted(_ name: String) {
        #expect(MapillaryUsername.problem(name) == nil)
    }

    @Test(arguments: [
        "", " alice", "alice\n", "al\u{7}ice", "https://www.mapillary.com/app/user/alice",
        String(repeating: "x", count: 101),
    ])
    func usernamesTheToolWouldRefuseAreNamed(_ name: String) throws {
        let problem = try #require(MapillaryUsername.problem(name))
        #expect(!problem.contains("\n") && !problem.contains("\u{7}"))
    }

    @Test func aUsernameThatWouldForgeOrDisguiseALogLineIsNamedEscaped() throws {
        let problem = try #require(MapillaryUsername.problem("eve\u{2028}INFO  forged"))
        #expect(
            problem
                == "the username \"eve\\u{2028}INFO  forged\" contains the control or formatting character U+2028 at position 4; a username is one line of plain text, so check where it came from"
        )
        #expect(MapillaryUsername.problem("eve\u{202E}gnp.exe")?.contains("U+202E") == true)
    }
}
