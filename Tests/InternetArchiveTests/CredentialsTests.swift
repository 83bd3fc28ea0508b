import Foundation
import InternetArchive
import Testing
import TestSupport

@Suite struct CredentialsTests {
    let ini = "[s3]\naccess = INIaccessKEY0001\nsecret = ini-secret-value\n\n[general]\nscreenname = x\n"

    func home(_ files: [String: String]) throws -> TemporaryDirectory {
        let temp = try TemporaryDirectory("ia-home")
        for (path, text) in files {
            let full = temp.file(path)
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
        return temp
    }

    @Test func explicitKeysWinOverEverythingElse() throws {
        let h = try home([".config/ia.ini": ini])
        defer { h.remove() }
        let keys = try IACredentials.resolve(
            accessKey: "EXPLICITaccess01", secretKey: "explicit-secret",
            environment: ["IA_ACCESS_KEY_ID": "E", "IA_SECRET_ACCESS_KEY": "S"],
            home: h.path)
        #expect(keys.accessKey == "EXPLICITaccess01")
        #expect(keys.source == "--access-key")
    }

    @Test(arguments: [(true, false), (false, true)])
    func halfOfTheExplicitKeysIsASentence(access: Bool, secret: Bool) throws {
        #expect {
            _ = try IACredentials.resolve(
                accessKey: access ? "A1234567" : nil, secretKey: secret ? "S1234567" : nil,
                environment: [:], home: nil)
        } throws: { error in
            let error = try #require(error as? InternetArchiveError)
            return error.code == .credentials && error.description.contains("give both keys")
        }
    }

    @Test func bothEnvironmentVariablesAreUsedBeforeIaIni() throws {
        let h = try home([".config/ia.ini": ini])
        defer { h.remove() }
        let keys = try IACredentials.resolve(
            environment: [
                "IA_ACCESS_KEY_ID": "ENVaccessKEY0001",
                "IA_SECRET_ACCESS_KEY": "env-secret",
            ], home: h.path)
        #expect(keys.accessKey == "ENVaccessKEY0001")
        #expect(keys.source == "IA_ACCESS_KEY_ID")
    }

    @Test(arguments: ["IA_ACCESS_KEY_ID", "IA_SECRET_ACCESS_KEY"])
    func oneEnvironmentVariableAloneIsASentence(name: String) throws {
        let h = try home([".config/ia.ini": ini])
        defer { h.remove() }
        #expect {
            _ = try IACredentials.resolve(environment: [name: "value1234"], home: h.path)
        } throws: { error in
            let error = try #require(error as? InternetArchiveError)
            return error.code == .credentials && error.description.contains("set both")
        }
    }

    @Test(arguments: [".config/internetarchive/ia.ini", ".config/ia.ini", ".ia"])
    func theIaClientsConfigFilesAreRead(path: String) throws {
        let h = try home([path: ini])
        defer { h.remove() }
        let keys = try IACredentials.resolve(environment: [:], home: h.path)
        #expect(keys.accessKey == "INIaccessKEY0001")
        #expect(keys.source == h.file(path))
    }

    @Test func configFilesAreTriedInTheIaClientsOrder() throws {
        let other = ini.replacingOccurrences(of: "INIaccessKEY0001", with: "SECONDaccessKEY1")
        let h = try home([
            ".config/internetarchive/ia.ini": ini, ".config/ia.ini": other, ".ia": other,
            "custom.ini": other.replacingOccurrences(of: "SECOND", with: "CUSTOM"),
        ])
        defer { h.remove() }
        #expect(try IACredentials.resolve(environment: [:], home: h.path).accessKey == "INIaccessKEY0001")
        let custom = try IACredentials.resolve(environment: ["IA_CONFIG_FILE": h.file("custom.ini")], home: h.path)
        #expect(custom.accessKey == "CUSTOMaccessKEY1")
    }

    @Test func aConfigFileWithoutS3KeysAndNoKeysAtAllAreSentences() throws {
        let h = try home([".ia": "[general]\nscreenname = x\n"])
        defer { h.remove() }
        #expect {
            _ = try IACredentials.resolve(environment: [:], home: h.path)
        } throws: { error in
            (error as? InternetArchiveError)?.description.contains("has no [s3] access and secret") == true
        }
        #expect {
            _ = try IACredentials.resolve(environment: [:], home: h.path + "/nowhere")
        } throws: { error in
            (error as? InternetArchiveError)?.description.contains("no Internet Archive keys were found") == true
        }
    }

    @Test func theSecretNeverShows() throws {
        let keys = try IACredentials(accessKey: "AKEYabcdefghijkl", secretKey: "very-secret-value")
        for text in [
            keys.description, keys.debugDescription, "\(keys)", String(reflecting: keys),
            {
                var out = ""; dump(keys, to: &out); return out
            }(),
        ] {
            #expect(!text.contains("very-secret-value"), "\(text)")
        }
        #expect(keys.maskedAuthorization == "LOW AKEY…:****")
    }
}
