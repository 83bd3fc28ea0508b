extension ItemTemplates {
    /// The compiled-in copy of the repository's `templates/` folder, used when no folder is found.
    /// A test keeps it byte-identical to that folder: change both together.
    public static let builtIn = ItemTemplates(uncheckedFields: builtInFields, origin: "built-in templates")

    static let builtInFields: [MetaField] = [
        MetaField(key: "title", values: ["Mapillary images by {user}"]),
        MetaField(
            key: "description",
            values: [
                "Street-level imagery from Mapillary user '{user}'. Contains {image_count} images in {resolution} captured between {first_date} and {last_date}.{tar_note}{webp_note} Images include EXIF metadata with GPS coordinates, capture time (UTC), camera information, and compass direction.\n\nDownloaded using mapillary-archiver {version} ({homepage})."
            ]),
        MetaField(
            key: "subject", values: ["mapillary", "street-view", "computer-vision", "geospatial", "photography"]),
        MetaField(key: "creator", values: ["{user}"]),
        MetaField(key: "date", values: ["{first_date}"]),
        MetaField(key: "coverage", values: ["{first_date} - {last_date}"]),
        MetaField(key: "licenseurl", values: ["https://creativecommons.org/licenses/by-sa/4.0/"]),
        MetaField(key: "mediatype", values: ["data"]),
        MetaField(key: "collection", values: ["mapillary-images"]),
        MetaField(key: "source", values: ["https://www.mapillary.com/app/user/{user}"]),
        MetaField(key: "scanner", values: ["mapillary-archiver {version} {homepage}"]),
        MetaField(key: "mapillary_archiver", values: ["{version}"]),
        MetaField(key: "mapillary_user", values: ["{user}"]),
    ]
}
