import Essentials
import Foundation

extension InternetArchiveSandboxConfiguration {
    /// `count` Mapillary items as this archiver and the Python tool (`mapillary_downloader` 0.12.0) leave them on
    /// IA, deterministic from `seed`, for `stats`: each contributor has one to three items (of other qualities, or
    /// WebP and not) whose image counts differ a little; about 40 % are this archiver's (`mapillary_archiver`,
    /// `mapillary_user`), the rest the Python tool's; one in ten is outside the `mapillary-images` collection
    /// (`opensource`, IA's default) and uploaded by a volunteer rather than the archivist; every 20th contributor
    /// has a name IA refuses in identifiers, so the identifier holds a mapped name.
    public static func mapillaryItems(count: Int, seed: UInt64 = 1) -> [Item] {
        var items: [Item] = []
        var contributor = 0
        while items.count < count {
            items += contributorItems(contributor, seed: seed).prefix(count - items.count)
            contributor += 1
        }
        return items
    }

    private static let names = [
        "alice", "bruno", "chen", "dara", "emeka", "freya", "goran", "hana", "ivan", "jun",
        "kofi", "lena", "mateo", "nadia", "omar", "priya", "quinn", "rosa", "sven", "tariq",
    ]
    private static let volunteers = ["volunteer.one@example.org", "volunteer.two@example.org", "mapper@example.net"]
    private static let bytesPerImage: [String: Double] = [
        "original": 2_600_000, "2048": 900_000, "1024": 260_000,
        "256": 21_000,
    ]

    private static func contributorItems(_ index: Int, seed: UInt64) -> [Item] {
        var random = SandboxRandom(seed: seed, "ia-mapillary-items", String(index))
        let word = names[index % names.count] + (index < names.count ? "" : String(index / names.count + 1))
        let user = index % 20 == 7 ? "Zoë \(word)" : word
        let images = Int(exp(random.double(in: 0...11)))
        let first = 1_400_000_000 + Int(random.next() % 300_000_000)
        let dates = (
            UTCCalendar.dateString(milliseconds: Int64(first) * 1000),
            UTCCalendar.dateString(milliseconds: Int64(first + Int(random.next() % 60_000_000)) * 1000)
        )
        var variants = ["original", "2048", "1024", "256"].flatMap { [($0, true), ($0, false)] }
        variants.shuffle(using: &random)
        return variants.prefix(1 + Int(random.next() % 3)).map { quality, webp in
            let ours = random.chance(0.4)
            let outside = random.chance(0.1)
            let held = max(1, images - Int(random.next() % UInt64(images / 20 + 1)))
            var fields = metadata(ours: ours, user, quality, webp, held, dates)
            fields["collection"] = [outside ? "opensource" : "mapillary-images"]
            fields["uploader"] = [outside ? volunteers[Int(random.next() % 3)] : "archivist@example.org"]
            let size = Double(held) * (bytesPerImage[quality] ?? 1) * (webp ? 0.6 : 1) * random.double(in: 0.9...1.1)
            return Item(identifier: identifier(user, quality, webp), metadata: fields, itemSize: Int64(size))
        }
    }

    /// `mapillary-{user}-{quality}[-webp]`; a name with other characters than ASCII letters and digits (the
    /// generated names have only those, spaces and `ë`) gets each run of them replaced by `_` and 8 hex digits of
    /// its MD5 appended, as the archiver maps it.
    private static func identifier(_ user: String, _ quality: String, _ webp: Bool) -> String {
        let suffix = "-" + quality + (webp ? "-webp" : "")
        func plain(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
        }
        guard !user.unicodeScalars.allSatisfy(plain) else { return "mapillary-" + user + suffix }
        var safe = ""
        for scalar in user.unicodeScalars {
            if plain(scalar) { safe.unicodeScalars.append(scalar) } else if !safe.hasSuffix("_") { safe += "_" }
        }
        return "mapillary-" + safe + "-" + String(MD5.hex(of: Array(user.utf8)).prefix(8)) + suffix
    }

    /// The metadata this archiver's templates give (see docs/templates.md), or the one `mapillary_downloader`
    /// 0.12.0 writes (its `ia_meta.py`).
    private static func metadata(
        ours: Bool, _ user: String, _ quality: String, _ webp: Bool, _ images: Int,
        _ dates: (String, String)
    ) -> [String: [String]] {
        let resolution = quality == "original" ? "original resolution" : "\(quality)px resolution"
        let opening =
            "Street-level imagery from Mapillary user '\(user)'. Contains \(ByteFormat.grouped(images)) images "
            + "in \(resolution) captured between \(dates.0) and \(dates.1)."
        let recompressed = webp ? " Images were recompressed with WebP." : ""
        var metadata: [String: [String]] = [
            "title": ["Mapillary images by \(user)"], "creator": [user], "date": [dates.0],
            "coverage": ["\(dates.0) - \(dates.1)"], "mediatype": ["data"],
            "subject": ["mapillary", "street-view", "computer-vision", "geospatial", "photography"],
            "licenseurl": ["https://creativecommons.org/licenses/by-sa/4.0/"],
            "source": ["https://www.mapillary.com/app/user/\(user)"],
        ]
        if ours {
            metadata["description"] = [
                opening + " Images are stored in one tar file per capture date (UTC)."
                    + recompressed + " Images include EXIF metadata with GPS coordinates, capture time (UTC), camera "
                    + "information, and compass direction.\n\nDownloaded using mapillary-archiver \(ToolVersion.current) "
                    + "(\(ToolVersion.homepage))."
            ]
            metadata["scanner"] = ["mapillary-archiver \(ToolVersion.current) \(ToolVersion.homepage)"]
            metadata["mapillary_archiver"] = [ToolVersion.current]
            metadata["mapillary_user"] = [user]
        } else {
            metadata["description"] = [
                opening + " Sequences have been individually tarred." + recompressed
                    + " Images are organized by sequence ID and include EXIF metadata with GPS coordinates, camera "
                    + "information, and compass direction.\n\nDownloaded using mapillary_downloader "
                    + "(https://bitplane.net/dev/python/mapillary_downloader/). Uploaded using rip "
                    + "(https://bitplane.net/dev/sh/rip)."
            ]
            metadata["scanner"] = [
                "mapillary_downloader 0.12.0 https://bitplane.net/dev/python/mapillary_downloader/",
                "rip https://bitplane.net/dev/sh/rip",
            ]
            metadata["mapillary_downloader"] = ["0.12.0"]
        }
        return metadata
    }
}
