import Essentials
import Testing

/// The one JSON reader, on the untrusted input every API answer and stored record is.
struct JSONParserTests {
    @Test(arguments: [
        "", "{", "[1,", #"{"a":}"#, #"{"a" 1}"#, "[01]", "[1.]", "[1e]", "-", "tru", "nul", #""abc"#,
        #""\x""#, #""\u12""#, #""\uZZZZ""#, "\"a\u{01}b\"", "[1] 2", "{}}", "[,]", #"{"a":1,}"#,
    ])
    func malformedInputIsASentenceNamingTheByte(text: String) {
        #expect {
            _ = try JSONParser.parseDocument(Array(text.utf8))
        } throws: { error in
            (error as? JSONError)?.description.hasPrefix("the JSON is malformed at byte ") == true
        }
    }

    @Test func deepNestingIsRefusedNotCrashedOn() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { _ = try JSONParser.parseDocument(Array(deep.utf8)) }
        var parser = JSONParser(Array(deep.utf8))
        #expect(throws: JSONError.self) { try parser.skipValue() }
    }

    @Test func mangledDocumentsParseOrThrowAndNeverTrap() {
        let document = Array(#"{"id":"1","n":[-1.5e3,0,true,null],"s":"\u00fc\ud83d\ude00\"","o":{"k":[{}]}}"#.utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var failures = 0
        for _ in 0..<5_000 {
            var bytes = document
            for _ in 0..<(1 + next() % 4) {
                let at = next() % bytes.count
                switch next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: next())
                case 1: bytes.remove(at: at)
                default: bytes.insert(bytes[next() % bytes.count], at: at)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            do { _ = try JSONParser.parseDocument(bytes) } catch is JSONError { failures += 1 } catch {
                Issue.record("not a JSONError: \(error)")
            }
        }
        #expect(failures > 0)
    }

    @Test func numbersKeepTheirLiteralSoIntegersAndFractionsDiffer() throws {
        let value = try JSONParser.parseDocument(
            Array(#"{"zero":0,"fraction":0.0,"minus":-0,"big":1e400,"size":"12"}"#.utf8))
        #expect(value["zero"]?.isInteger == true && value["zero"]?.doubleValue == 0)
        #expect(value["fraction"]?.isInteger == false && value["fraction"]?.doubleValue == 0)
        #expect(value["minus"]?.scalarText == "0")
        #expect(value["fraction"]?.scalarText == "0.0")
        #expect(value["big"]?.doubleValue == nil, "not finite")
        #expect(value["size"]?.doubleValue == nil, "a string holding a number is not a number")
        #expect(value["size"]?.scalarText == "12")
    }

    @Test func escapesDecodeAndALoneSurrogateBecomesTheReplacementCharacter() throws {
        let value = try JSONParser.parseDocument(Array(#"["\u00dc\ud83d\ude00", "\ud800x", "a\/b\n"]"#.utf8))
        #expect(value.arrayValue?.map(\.stringValue) == ["Ü😀", "\u{FFFD}x", "a/b\n"])
    }
}
