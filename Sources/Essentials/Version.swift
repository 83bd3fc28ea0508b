/// This toolkit's version, written into every item (`mapillary_archiver` metadata key) and `--version`.
public enum ToolVersion {
    public static let current = "0.1.0"
    public static let name = "mapillary-archiver"
    public static let homepage = "https://github.com/mapillary-archiver/mapillary-archiver"
}
