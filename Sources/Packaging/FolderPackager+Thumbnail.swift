import Imaging

extension FolderPackager {
    /// Images larger than this are not read whole for a thumbnail.
    static let thumbnailSourceLimit: Int64 = 64 << 20
    /// How many images are tried before giving up on a thumbnail.
    static let thumbnailAttempts = 5

    /// Writes `__ia_thumb__.jpg` (fits 256×256) from the first image, in sorted order, that decodes.
    /// Returns a note when no image could be used: a missing thumbnail is not an error.
    static func makeThumbnail(from images: [FolderPlan.File], into folder: String) throws -> String? {
        var reasons: [String] = []
        for image in images.prefix(thumbnailAttempts) {
            guard image.size <= thumbnailSourceLimit else {
                reasons.append("\(image.relative) is too large")
                continue
            }
            let bytes = try FileTree.readFile(image.source, limit: Int(thumbnailSourceLimit))
            let thumbnail: [UInt8]
            do {
                thumbnail = try Thumbnail.jpeg(from: bytes)
            } catch {
                reasons.append("\(image.relative): \(error)")
                continue
            }
            try FileTree.writeNewFile(folder + "/" + thumbnailName, thumbnail)
            return nil
        }
        if images.isEmpty { return "no thumbnail was made: the folder has no JPEG or WebP images" }
        return "no thumbnail was made: " + reasons.joined(separator: "; ")
    }
}
