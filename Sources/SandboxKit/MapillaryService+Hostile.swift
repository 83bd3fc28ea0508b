import HTTPServerKit

/// The hostile user kinds (``SandboxConfiguration/UserKind``): listings that loop, repeat or list an id twice,
/// and a CDN that trickles or sends more than it declares.
extension MapillaryService {
    /// The images of `trickle` and `long-body` users the CDN misbehaves on: the 2nd, 12th, 22nd, … of the listing.
    static func isChosenForCDNFault(_ image: SandboxImage) -> Bool { image.index % 10 == 1 }

    /// What `/images` lists for `user`, in order: its images, then for `duplicates` every fourth one (the 2nd,
    /// 6th, …) again with another capture date and sequence.
    func listedRecords(user: String) -> [SandboxImage] {
        let images = dataset.images[user] ?? []
        guard dataset.kinds[user] == .duplicates else { return images }
        return images + relistedRecords(user: user)
    }

    /// The second records of a `duplicates` user, in listing order (empty for other kinds).
    func relistedRecords(user: String) -> [SandboxImage] {
        guard dataset.kinds[user] == .duplicates else { return [] }
        return (dataset.images[user] ?? []).filter { $0.index % 4 == 1 }.map { $0.relisted(seed: configuration.seed) }
    }

    /// True when an `after` cursor at `position` is one this listing may have handed out.
    func acceptsCursor(position: Int, count: Int, user: String?) -> Bool {
        // Repeated pages hand out ever larger positions for the same records.
        position <= count || user.flatMap { dataset.kinds[$0] } == .repeatedPages
    }

    /// The records one `/images` page shows (a range of the listing) and its `paging.next` link: honest paging,
    /// or the misbehaviour of the user's kind.
    func page(
        _ request: ServerRequest, user: String?, start: Int, limit: Int, records: [SandboxImage],
        scope: String
    ) -> (range: Range<Int>, next: String?) {
        let count = records.count
        let end = min(count, start + limit)
        func link(_ position: Int) -> String {
            nextURL(request, after: cursors.encode(position: position, scope: scope))
        }
        switch user.flatMap({ dataset.kinds[$0] }) {
        case .pagingSelf?:
            misbehaviour.count(.loopingPage)
            return (start..<end, nextURL(request, after: request.queryValue("after")))
        case .pagingCycle? where start == 2 * limit:
            misbehaviour.count(.loopingPage)
            return (start..<end, link(limit))
        case .repeatedPages?:
            if start > 0 { misbehaviour.count(.repeatedPage) }
            return (0..<min(count, limit), link(start + limit))
        case .duplicates?:
            misbehaviour.count(.duplicateRecord, records[min(start, end)..<end].filter { $0.isRelisted }.count)
            return (start..<end, end < count ? link(end) : nil)
        default:
            return (start..<end, end < count ? link(end) : nil)
        }
    }

    /// Serves `image` the way a `trickle` or `long-body` user's chosen images are served; false (nothing sent)
    /// for every other image.
    func serveMisbehaving(
        _ image: SandboxImage, quality: SandboxQuality, kind: SandboxConfiguration.UserKind,
        headers: [(String, String)], _ response: ServerResponse
    ) throws -> Bool {
        guard kind == .trickle || kind == .longBody, Self.isChosenForCDNFault(image) else { return false }
        if kind == .trickle {
            guard let rate = misbehaviour.trickleRate else { return false }
            let body = try store.bytes(for: image, quality: quality, kind: kind)
            misbehaviour.count(.trickledAnswer)
            response.sendTrickle(status: 200, headers: headers, body: body, bytesPerSecond: rate)
        } else {
            let body = try store.bytes(for: image, quality: quality, kind: kind)
            misbehaviour.count(.longAnswer)
            // The tail of the image again: bytes a client reading past the declared length takes for an answer.
            response.sendOverlong(status: 200, headers: headers, body: body, extra: Array(body.suffix(64)))
        }
        return true
    }
}

extension SandboxImage {
    /// The second record a `duplicates` listing carries for this image: the same id, captured three days later
    /// (or at a fixed date when it has no capture time), in a sequence of its own.
    func relisted(seed: UInt64) -> SandboxImage {
        var random = SandboxRandom(seed: seed, "relisted", id)
        return SandboxImage(
            id: id, user: user, index: index, sequence: random.base62(22),
            capturedAt: (capturedAt ?? 1_600_000_000_000) + 3 * 86_400_000,
            longitude: longitude, latitude: latitude, computedPosition: computedPosition, altitude: altitude,
            computedAltitude: computedAltitude, compassAngle: compassAngle, computedCompassAngle: computedCompassAngle,
            isPano: isPano, cameraType: cameraType, make: make, model: model, width: width, height: height,
            exifOrientation: exifOrientation, cameraParameters: cameraParameters, computedRotation: computedRotation,
            creatorID: creatorID, cameraUTCOffsetMinutes: cameraUTCOffsetMinutes, hostility: hostility,
            isRelisted: true)
    }
}
