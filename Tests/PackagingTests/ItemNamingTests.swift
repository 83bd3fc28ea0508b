import Packaging
import Testing

struct ItemNamingTests {
    @Test func captureTimesBecomeUTCDates() {
        // 2024-01-15T23:30:00Z: a local-time tool east of UTC would say the 16th.
        #expect(ItemNaming.dateName(capturedAtMilliseconds: 1_705_361_400_000) == "2024-01-15")
        #expect(ItemNaming.dateName(capturedAtMilliseconds: 0) == "1970-01-01")
        #expect(ItemNaming.dateName(capturedAtMilliseconds: -1) == "1969-12-31")
        #expect(ItemNaming.dateName(capturedAtMilliseconds: 951_782_400_000) == "2000-02-29")
        #expect(ItemNaming.dateName(capturedAtMilliseconds: nil) == "unknown-date")
        #expect(ItemNaming.dateName(capturedAtMilliseconds: Int64.max) == "unknown-date")
        #expect(ItemNaming.dateName(capturedAtMilliseconds: Int64.min) == "unknown-date")
    }

    @Test func membersAndTarsAreNamedLikeThePythonTool() {
        #expect(ItemNaming.tarName(date: "2024-01-15") == "2024-01-15.tar")
        #expect(
            ItemNaming.memberName(date: "2024-01-15", sequence: "abc", id: "123", format: .webp)
                == "2024-01-15/abc/123.webp")
        #expect(
            ItemNaming.memberName(date: "unknown-date", sequence: nil, id: "9", format: .jpeg) == "unknown-date/9.jpg")
        #expect(ItemNaming.memberName(date: "2024-01-15", sequence: "", id: "9", format: .jpeg) == "2024-01-15/9.jpg")
    }

    @Test func publishedTarsGetAddendaInsteadOfBeingRewritten() {
        #expect(ItemNaming.tarName(date: "2024-01-15", avoiding: []) == "2024-01-15.tar")
        #expect(ItemNaming.tarName(date: "2024-01-15", avoiding: ["2024-01-15.tar"]) == "2024-01-15.1.tar")
        #expect(
            ItemNaming.tarName(
                date: "2024-01-15", avoiding: ["2024-01-15.tar", "2024-01-15.1.tar", "2024-01-15.2.tar"])
                == "2024-01-15.3.tar")
        #expect(
            ItemNaming.tarName(date: "2024-01-15", avoiding: ["2024-01-15.tar", "2024-01-15.2.tar"])
                == "2024-01-15.1.tar")
        #expect(ItemNaming.tarName(date: "unknown-date", avoiding: ["unknown-date.tar"]) == "unknown-date.1.tar")
    }

    @Test func dateFoldersAreRecognised() {
        #expect(ItemNaming.isDateFolderName("2024-01-15"))
        #expect(ItemNaming.isDateFolderName("unknown-date"))
        #expect(!ItemNaming.isDateFolderName("2024-1-15"))
        #expect(!ItemNaming.isDateFolderName("2024-01-15x"))
        #expect(!ItemNaming.isDateFolderName("abcd-ef-gh"))
    }
}
