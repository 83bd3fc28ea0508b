import Packaging
import Testing

struct IdentifierRuleTests {
    @Test(arguments: [
        "mapillary-someuser-original-webp", "abcde", "A1_.-", "mapillary-a.b_c-256",
        String(repeating: "a", count: 101),
    ])
    func validIdentifiersPass(identifier: String) {
        #expect(IdentifierRule.validate(identifier) == nil)
    }

    @Test func eachFailureSaysWhy() throws {
        #expect(try #require(IdentifierRule.validate("abcd")).contains("too short"))
        #expect(try #require(IdentifierRule.validate(String(repeating: "a", count: 102))).contains("too long"))
        #expect(try #require(IdentifierRule.validate("_abcde")).contains("must start with a letter or digit"))
        #expect(try #require(IdentifierRule.validate(".hidden")).contains("must start"))
        let space = try #require(IdentifierRule.validate("my item"))
        #expect(space.contains("' '") && space.contains("position 3"))
        #expect(try #require(IdentifierRule.validate("mapillary-zoë-256")).contains("'ë'"))
        #expect(try #require(IdentifierRule.validate("")).contains("empty"))
    }

    @Test func validUsernamesKeepThePythonToolsIdentifiers() {
        #expect(
            IdentifierRule.mapillaryIdentifier(user: "someuser", quality: "original", webp: true)
                == "mapillary-someuser-original-webp")
        #expect(
            IdentifierRule.mapillaryIdentifier(user: "a.b_c-d", quality: "1024", webp: false)
                == "mapillary-a.b_c-d-1024")
    }

    @Test func otherUsernamesAreMappedWithoutCollisions() {
        let a = IdentifierRule.mapillaryIdentifier(user: "Zoë Smith", quality: "2048", webp: true)
        let b = IdentifierRule.mapillaryIdentifier(user: "Zoé Smith", quality: "2048", webp: true)
        #expect(a.hasPrefix("mapillary-Zo_Smith-") && a.hasSuffix("-2048-webp"))
        #expect(a != b)
        #expect(IdentifierRule.validate(a) == nil && IdentifierRule.validate(b) == nil)
        let long = IdentifierRule.mapillaryIdentifier(
            user: String(repeating: "x", count: 95), quality: "original", webp: true)
        #expect(long.count == 101 && IdentifierRule.validate(long) == nil)
        #expect(
            IdentifierRule.validate(IdentifierRule.mapillaryIdentifier(user: "", quality: "256", webp: false)) == nil)
    }

    @Test func mapillaryNamesParseLikeThePythonTool() throws {
        let parsed = try #require(IdentifierRule.parseMapillary("mapillary-some-user-original-webp"))
        #expect(parsed.user == "some-user" && parsed.quality == "original" && parsed.webp)
        let plain = try #require(IdentifierRule.parseMapillary("mapillary-bob-256"))
        #expect(plain.user == "bob" && plain.quality == "256" && !plain.webp)
        #expect(IdentifierRule.parseMapillary("mapillary-bob-512") == nil)
        #expect(IdentifierRule.parseMapillary("photos-bob-256") == nil)
    }
}
