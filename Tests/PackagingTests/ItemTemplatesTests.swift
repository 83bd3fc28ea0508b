import Foundation
import Packaging
import Testing
import TestSupport

struct ItemTemplatesTests {
    /// The repository's `templates/` folder, found from this source file.
    static let repositoryTemplates = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("templates").path

    private let facts = ItemFacts(
        identifier: "mapillary-someuser-original-webp", user: "someuser", quality: "original",
        webp: true, tarred: true, imageCount: 12345, firstDate: "2024-01-15",
        lastDate: "2024-03-20", version: "0.1.0", homepage: "https://example.org/ma")

    @Test func theCompiledInCopyIsByteIdenticalToTheTemplatesFolder() throws {
        let folder = Self.repositoryTemplates
        var onDisk: [String: [UInt8]] = [:]
        for key in try Files.list(folder) {
            for index in try Files.list(folder + "/" + key) {
                onDisk[key + "/" + index] = try Files.read(folder + "/" + key + "/" + index)
            }
        }
        var compiled: [String: [UInt8]] = [:]
        for field in ItemTemplates.builtIn.fields {
            for (index, value) in field.values.enumerated() {
                compiled[field.key + "/" + String(index)] = Array(value.utf8)
            }
        }
        #expect(onDisk.keys.sorted() == compiled.keys.sorted())
        for (file, bytes) in onDisk {
            #expect(compiled[file] == bytes, "templates/\(file) differs from the compiled-in copy")
        }
        #expect(try ItemTemplates.load(from: folder).render(facts) == (try ItemTemplates.builtIn.render(facts)))
    }

    @Test func defaultsRenderThePythonCompatibleValues() throws {
        let metadata = try ItemTemplates.builtIn.render(facts)
        #expect(metadata["title"] == ["Mapillary images by someuser"])
        #expect(
            metadata["description"] == [
                """
                Street-level imagery from Mapillary user 'someuser'. Contains 12,345 images in original resolution \
                captured between 2024-01-15 and 2024-03-20. Images are stored in one tar file per capture date (UTC). \
                Images were recompressed with WebP. Images include EXIF metadata with GPS coordinates, capture time (UTC), \
                camera information, and compass direction.

                Downloaded using mapillary-archiver 0.1.0 (https://example.org/ma).
                """
            ])
        #expect(metadata["subject"] == ["mapillary", "street-view", "computer-vision", "geospatial", "photography"])
        #expect(metadata["creator"] == ["someuser"])
        #expect(metadata["date"] == ["2024-01-15"])
        #expect(metadata["coverage"] == ["2024-01-15 - 2024-03-20"])
        #expect(metadata["licenseurl"] == ["https://creativecommons.org/licenses/by-sa/4.0/"])
        #expect(metadata["mediatype"] == ["data"])
        #expect(metadata["collection"] == ["mapillary-images"])
        #expect(metadata["source"] == ["https://www.mapillary.com/app/user/someuser"])
        #expect(metadata["scanner"] == ["mapillary-archiver 0.1.0 https://example.org/ma"])
        #expect(metadata["mapillary_archiver"] == ["0.1.0"])
        #expect(metadata["mapillary_user"] == ["someuser"])
    }

    @Test func notesAndResolutionFollowTheFacts() throws {
        var plain = facts
        plain.webp = false
        plain.tarred = false
        plain.quality = "1024"
        plain.imageCount = 7
        let description = try #require(try ItemTemplates.builtIn.render(plain)["description"].first)
        #expect(
            description.hasPrefix(
                "Street-level imagery from Mapillary user 'someuser'. Contains 7 images in 1024px resolution captured between 2024-01-15 and 2024-03-20. Images include EXIF"
            ))
    }

    @Test func valuesUsingUnknownFactsAreLeftOut() throws {
        let metadata = try ItemTemplates.builtIn.render(ItemFacts(identifier: "my-photos", imageCount: 3))
        #expect(metadata["title"].isEmpty && metadata["creator"].isEmpty && metadata["date"].isEmpty)
        #expect(metadata["mediatype"] == ["data"])
        #expect(metadata["mapillary_archiver"] == [ItemFacts(identifier: "x").version])
    }

    @Test func overridesReplaceWholeKeysAndRepeatsMakeLists() throws {
        let rendered = try ItemTemplates.builtIn.render(facts)
        let overridden = rendered.applying([
            try MetaOverride(parsing: "collection=opensource_media"),
            try MetaOverride(parsing: "subject=a"),
            try MetaOverride(parsing: "subject=b=c"),
            try MetaOverride(parsing: "scanner="),
            try MetaOverride(parsing: "newkey=v"),
        ])
        #expect(overridden["collection"] == ["opensource_media"])
        #expect(overridden["subject"] == ["a", "b=c"])
        #expect(overridden["scanner"].isEmpty)
        #expect(overridden["newkey"] == ["v"])
        #expect(overridden["title"] == rendered["title"])
    }

    @Test func anUnknownPlaceholderIsAnErrorNamingTheTemplateFile() throws {
        let dir = try TemporaryDirectory("tpl")
        defer { dir.remove() }
        try Files.write(dir.file("title/0"), "Images by {usr}")
        let error = #expect(throws: PackagingError.self) { try ItemTemplates.load(from: dir.path) }
        #expect(error?.description.contains(dir.file("title/0")) == true)
        #expect(error?.description.contains("{usr}") == true)
        try Files.write(dir.file("title/0"), "Images by {user}")
        try Files.write(dir.file("note/0"), "{braces} look like a placeholder")
        #expect(throws: PackagingError.self) { try ItemTemplates.load(from: dir.path) }
        try Files.write(dir.file("note/0"), "literal { braces } and {} stay")
        let rendered = try ItemTemplates.load(from: dir.path).render(facts)
        #expect(rendered["note"] == ["literal { braces } and {} stay"])
        #expect(rendered["title"] == ["Images by someuser"])
    }

    @Test func templatesAreFoundInOrderOfPrecedence() throws {
        let dir = try TemporaryDirectory("tpl")
        defer { dir.remove() }
        try Files.write(dir.file("explicit/title/0"), "explicit")
        try Files.write(dir.file("env/title/0"), "env")
        try Files.write(dir.file("prefix/share/mapillary-archiver/templates/title/0"), "installed")
        try Files.write(dir.file("prefix/bin/mapillary-archiver"), "binary")
        let exe = dir.file("prefix/bin/mapillary-archiver")
        let env = ["MAPILLARY_ARCHIVER_TEMPLATES": dir.file("env")]
        func title(_ templates: ItemTemplates) throws -> [String] { try templates.render(facts)["title"] }
        #expect(
            try title(
                ItemTemplates.resolve(templateDirectory: dir.file("explicit"), environment: env, executablePath: exe))
                == ["explicit"])
        #expect(try title(ItemTemplates.resolve(environment: env, executablePath: exe)) == ["env"])
        #expect(try title(ItemTemplates.resolve(environment: [:], executablePath: exe)) == ["installed"])
        try Files.write(dir.file("repo/.build/release/mapillary-archiver"), "binary")
        try FileManager.default.createSymbolicLink(
            atPath: dir.file("repo/templates"), withDestinationPath: Self.repositoryTemplates)
        let fromRepo = try ItemTemplates.resolve(
            environment: [:], executablePath: dir.file("repo/.build/release/mapillary-archiver"))
        #expect(fromRepo.origin == dir.file("repo/templates"))
        #expect(
            try ItemTemplates.resolve(environment: [:], executablePath: dir.file("nowhere/bin/x"))
                == ItemTemplates.builtIn)
        #expect(throws: PackagingError.self) {
            try ItemTemplates.resolve(templateDirectory: dir.file("missing"), environment: [:])
        }
    }
}
