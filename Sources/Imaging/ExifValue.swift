/// An unsigned EXIF RATIONAL: numerator over denominator.
public struct ExifRational: Sendable, Equatable {
    public var numerator: UInt32
    public var denominator: UInt32

    public init(_ numerator: UInt32, _ denominator: UInt32) {
        self.numerator = numerator
        self.denominator = denominator
    }
}

/// A signed EXIF SRATIONAL.
public struct ExifSignedRational: Sendable, Equatable {
    public var numerator: Int32
    public var denominator: Int32

    public init(_ numerator: Int32, _ denominator: Int32) {
        self.numerator = numerator
        self.denominator = denominator
    }
}

/// The value of one EXIF tag, typed as TIFF stores it.
public enum ExifValue: Sendable, Equatable {
    /// ASCII text; written NUL-terminated (interior NULs are dropped), UTF-8 bytes kept as they are.
    case ascii(String)
    case byte([UInt8])
    case undefined([UInt8])
    case short([UInt16])
    case long([UInt32])
    case rational([ExifRational])
    case signedRational([ExifSignedRational])

    /// TIFF field type number (1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 7 UNDEFINED, 10 SRATIONAL).
    var typeCode: UInt16 {
        switch self {
        case .byte: return 1
        case .ascii: return 2
        case .short: return 3
        case .long: return 4
        case .rational: return 5
        case .undefined: return 7
        case .signedRational: return 10
        }
    }

    /// The field's count and value bytes in `order`.
    func encoded(_ order: ExifByteOrder) -> (count: UInt32, data: [UInt8]) {
        var data: [UInt8] = []
        switch self {
        case .ascii(let text):
            data = text.utf8.filter { $0 != 0 } + [0]
        case .byte(let bytes), .undefined(let bytes):
            data = bytes
        case .short(let values):
            for v in values { order.append(v, to: &data) }
        case .long(let values):
            for v in values { order.append(v, to: &data) }
        case .rational(let values):
            for v in values { order.append(v.numerator, to: &data); order.append(v.denominator, to: &data) }
        case .signedRational(let values):
            for v in values {
                order.append(UInt32(bitPattern: v.numerator), to: &data)
                order.append(UInt32(bitPattern: v.denominator), to: &data)
            }
        }
        let unit = TIFFEntry.unitSize(typeCode) ?? 1
        return (UInt32(data.count / unit), data)
    }

    /// The entry this value makes for `tag` in a TIFF written in `order`.
    func entry(_ tag: UInt16, _ order: ExifByteOrder) -> TIFFEntry {
        let (count, data) = encoded(order)
        return .value(tag: tag, type: typeCode, count: count, data: data)
    }
}
