import Essentials
import Testing

struct MD5Tests {
    @Test func knownDigests() {
        #expect(MD5.hex(of: []) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(of: Array("hello world".utf8)) == "5eb63bbbe01eeed093cb22bb8f5acdc3")
    }

    @Test func savedStateResumesTheSameChecksum() throws {
        let first = Array(repeating: UInt8(7), count: 100_003)
        let second = Array("tail bytes".utf8)
        var running = MD5()
        running.update(first)
        let saved = running.savedState
        var resumed = try #require(MD5(savedState: saved))
        resumed.update(second)
        #expect(resumed.hexDigest() == MD5.hex(of: first + second))
        #expect(MD5(savedState: [1, 2, 3]) == nil)
    }

    @Test func byteFormatMatchesThePythonTool() {
        #expect(ByteFormat.size(1000) == "1.00 KB")
        #expect(ByteFormat.size(456_780_000) == "456.78 MB")
        #expect(ByteFormat.duration(seconds: 90) == "1m 30s")
        #expect(ByteFormat.duration(seconds: 3660) == "1h 1m")
        #expect(ByteFormat.grouped(1234567) == "1,234,567")
    }
}

struct SharedPiecesTests {
    @Test func percentEncodingMatchesPythonsQuote() {
        #expect(PercentEncoding.encode("dir/hé llo#?.txt", keeping: "/") == "dir/h%C3%A9%20llo%23%3F.txt")
        #expect(PercentEncoding.encode("a b/c") == "a%20b%2Fc")
        #expect(PercentEncoding.decode("a%20b+c%zz", plusIsSpace: true) == "a b c%zz")
    }

    @Test func utcCalendarHandlesEpochsLeapDaysAndTimesBefore1970() {
        #expect(UTCCalendar.dateString(milliseconds: 0) == "1970-01-01")
        #expect(UTCCalendar.dateString(milliseconds: 951_782_400_000) == "2000-02-29")
        #expect(UTCCalendar.dateString(milliseconds: -1) == "1969-12-31")
        let f = UTCCalendar.fields(milliseconds: 1_507_560_881_007)
        #expect([f.year, f.month, f.day, f.hour, f.minute, f.second, f.millisecond] == [2017, 10, 9, 14, 54, 41, 7])
    }
}
