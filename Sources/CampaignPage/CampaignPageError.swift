import Essentials
import HTTPServerKit

/// Why the campaign page could not be served: one sentence naming the address, the port and the fix.
public struct CampaignPageError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable {
        /// Another program listens on the port.
        case portInUse
        /// The address is not one of this machine's, or the port is not allowed (below 1024 without privileges).
        case cannotListen
    }

    public let code: Code
    public let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    static func listen(_ error: HTTPServerError, address: String, port: Int) -> CampaignPageError {
        switch error.systemError {
        case EADDRINUSE:
            return CampaignPageError(
                .portInUse,
                "cannot serve the campaign page on \(address) port \(port): another program listens there; stop it, or give queue serve another --port"
            )
        case EADDRNOTAVAIL:
            return CampaignPageError(
                .cannotListen,
                "cannot serve the campaign page on \(address): it is not an address of this machine; give --listen one of its addresses, or 0.0.0.0 for all of them"
            )
        case EACCES:
            return CampaignPageError(
                .cannotListen,
                "cannot serve the campaign page on \(address) port \(port): ports below 1024 need privileges; give queue serve a --port of 1024 or more"
            )
        default:
            return CampaignPageError(.cannotListen, "cannot serve the campaign page: \(error.message)")
        }
    }
}
