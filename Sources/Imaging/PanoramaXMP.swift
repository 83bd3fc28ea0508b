import Essentials

/// The XMP packet with Google Photo Sphere (GPano) tags that marks an equirectangular 360° panorama.
enum PanoramaXMP {
    /// The packet for a `width`×`height` panorama, with PoseHeadingDegrees when a heading is known.
    static func packet(width: UInt32, height: UInt32, headingHundredths: Int?) -> [UInt8] {
        var properties = [
            ("ProjectionType", "equirectangular"),
            ("UsePanoramaViewer", "True"),
            ("FullPanoWidthPixels", "\(width)"),
            ("FullPanoHeightPixels", "\(height)"),
            ("CroppedAreaImageWidthPixels", "\(width)"),
            ("CroppedAreaImageHeightPixels", "\(height)"),
            ("CroppedAreaLeftPixels", "0"),
            ("CroppedAreaTopPixels", "0"),
        ]
        if let heading = headingHundredths {
            properties.append(("PoseHeadingDegrees", "\(heading / 100).\(UTCCalendar.pad(heading % 100, 2))"))
        }
        var xml = "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
        xml += "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
        xml += " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
        xml += "  <rdf:Description rdf:about=\"\" xmlns:GPano=\"http://ns.google.com/photos/1.0/panorama/\">\n"
        for (name, value) in properties {
            xml += "   <GPano:\(name)>\(value)</GPano:\(name)>\n"
        }
        xml += "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
        return Array(xml.utf8)
    }
}
