import HTTPClientKit

extension UploadSession {
    /// Fills ``UploadReport/plannedRequests`` with what `send` would do, sending nothing and writing nothing.
    func describe(_ toSend: [ItemFile]) async throws {
        for (index, file) in toSend.enumerated() {
            let headers = itemHeaders(last: index == toSend.count - 1)
            if isMultipart(file) {
                let layout = partLayout(file)
                report.plannedRequests.append(requests.describe(requests.initiate(file.key, itemHeaders: headers)))
                var parts: [(number: Int, etag: String)] = []
                for number in 1...layout.count {
                    let offset = Int64(number - 1) * layout.size
                    let length = min(layout.size, file.size - offset)
                    run.begin(.hashing, file: file.key, size: file.size, bytes: offset)
                    let md5 = try await Hashing.part(file, offset: offset, length: length, running: nil).md5
                    let request = requests.putPart(
                        file, number: number, offset: offset, length: length, md5: md5,
                        uploadID: "UPLOAD-ID")
                    report.plannedRequests.append(requests.describe(request))
                    parts.append((number, "\"\(md5)\""))
                }
                report.plannedRequests.append(
                    requests.describe(
                        requests.complete(
                            file.key, uploadID: "UPLOAD-ID",
                            parts: parts)))
            } else {
                let md5 = try await md5(of: file)
                report.plannedRequests.append(requests.describe(requests.put(file, md5: md5, itemHeaders: headers)))
            }
            report.uploaded.append(file.key)
        }
    }
}
