/// Reassembles an ICC colour profile from a JPEG's APP2 `ICC_PROFILE` chunks.
enum ICCProfile {
    /// The profile bytes (nil when there is none) and, when its chunks are inconsistent, why it was not used.
    static func extract(_ structure: JPEGStructure, _ bytes: [UInt8]) -> (profile: [UInt8]?, warning: String?) {
        let header = JPEGStructure.iccSignature.count + 2
        var chunks: [Int: ArraySlice<UInt8>] = [:]
        var declaredTotal: Int?
        for segment in structure.segments where structure.isICC(segment, bytes) {
            let payload = structure.payload(segment, bytes)
            guard payload.count >= header else { return (nil, damaged("a chunk is shorter than its header")) }
            let sequence = Int(payload[payload.startIndex + header - 2])
            let total = Int(payload[payload.startIndex + header - 1])
            guard total > 0, sequence >= 1, sequence <= total, declaredTotal == nil || declaredTotal == total else {
                return (nil, damaged("chunk numbers do not agree"))
            }
            declaredTotal = total
            guard chunks[sequence] == nil else { return (nil, damaged("chunk \(sequence) appears twice")) }
            chunks[sequence] = payload.dropFirst(header)
        }
        guard let total = declaredTotal else { return (nil, nil) }
        guard chunks.count == total else {
            return (nil, damaged("\(chunks.count) of \(total) chunks are present"))
        }
        var profile: [UInt8] = []
        for sequence in 1...total { profile += chunks[sequence] ?? [] }
        guard !profile.isEmpty else { return (nil, damaged("it is empty")) }
        return (profile, nil)
    }

    private static func damaged(_ reason: String) -> String {
        "the JPEG's ICC colour profile was not copied into the WebP because \(reason)"
    }
}
