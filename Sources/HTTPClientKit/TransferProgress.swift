/// Bytes moved so far by one transfer. Totals are 0 while unknown.
public struct TransferProgress: Sendable {
    public let uploaded: Int64
    public let uploadTotal: Int64
    public let downloaded: Int64
    public let downloadTotal: Int64

    public init(uploaded: Int64, uploadTotal: Int64, downloaded: Int64, downloadTotal: Int64) {
        self.uploaded = uploaded
        self.uploadTotal = uploadTotal
        self.downloaded = downloaded
        self.downloadTotal = downloadTotal
    }
}
