/// One parser under fuzzing: its command-line name and what it does with each input.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    let run: @Sendable ([UInt8]) -> Void

    /// Every target, in the order `make fuzz` runs them.
    static let all: [FuzzTarget] = [
        FuzzTarget(
            name: "jpeg",
            summary: "a downloaded JPEG through ImageTranscoder (segments, camera EXIF, XMP, ICC, "
                + "WebP chunks)", run: JPEGTarget.run),
        FuzzTarget(
            name: "exif", summary: "a camera TIFF/EXIF block through ExifMerger and TIFFReader",
            run: ExifTarget.run),
        FuzzTarget(
            name: "graph-page", summary: "a Graph API body through GraphBody.scan and ImagePage.build",
            run: GraphPageTarget.run),
        FuzzTarget(
            name: "image-record", summary: "one Graph API record through ImageRecord and into EXIF",
            run: ImageRecordTarget.run),
        FuzzTarget(
            name: "ia-answer",
            summary: "an IAS3 or archive.org answer (S3 error XML, UploadId, ListParts, "
                + "metadata and check_limit JSON)", run: IAAnswerTarget.run),
        FuzzTarget(
            name: "ia-ini", summary: "an ia.ini file through IAConfigFile and IACredentials",
            run: IAConfigTarget.run),
        FuzzTarget(
            name: "meta-folder", summary: "a .meta folder (built from the input) through MetaFolder",
            run: MetaFolderTarget.run),
        FuzzTarget(
            name: "tar", summary: "an item's tar through ItemVerifier (TarReader, member names)",
            run: TarTarget.run),
        FuzzTarget(
            name: "gzip-lines", summary: "a metadata.jsonl.gz through GzipLineReader and the capture dates",
            run: GzipLinesTarget.run),
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// The target named by the first command-line argument.
    static let selected: FuzzTarget? = CommandLine.arguments.dropFirst().first.flatMap(named)
}
