import Imaging
import Packaging

/// An image ready for its tar or folder: final bytes and where they go.
struct ProcessedImage: Sendable {
    let id: String
    let date: String  // UTC capture date, or ItemNaming.unknownDate
    let sequence: String?
    let format: ImageFileFormat
    let bytes: [UInt8]
    /// MD5 of `bytes`, computed on the encoder thread (in parallel), recorded per image in the state.
    let md5: String
    let mtime: Int64  // seconds since epoch (0 when unknown)

    var memberName: String {
        ItemNaming.memberName(date: date, sequence: sequence, id: id, format: format)
    }
}
