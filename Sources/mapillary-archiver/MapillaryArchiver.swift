import ArgumentParser
import Essentials

/// The root command: `download` is the default, so `mapillary-archiver USER` works like the Python tool.
struct MapillaryArchiver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mapillary-archiver",
        abstract: "Archive Mapillary contributors' images as Internet Archive items, and upload them.",
        discussion: """
            Typical use:
              export MAPILLARY_TOKEN='MLY|...'
              mapillary-archiver alice bob --upload   # download, package, upload, verify
              mapillary-archiver package ./folder     # any folder into an IA item
              mapillary-archiver upload ./mapillary_data/mapillary-alice-original-webp
              mapillary-archiver demo                 # all of it, offline (sandbox)

            Every command is safe to interrupt: download and upload continue where they stopped when run again; package starts over. Exit status: 0 all done; 1 some user or item failed (the others were still processed); 2 usage error. Documentation: docs/user-guide.md; every message explained: docs/troubleshooting.md.
            """,
        version: ToolVersion.current,
        subcommands: [
            Download.self, Package.self, Upload.self, Verify.self, Stats.self, Discover.self, CleanUp.self,
            QueueCommand.self, Worker.self, SandboxCommand.self, Demo.self,
        ],
        defaultSubcommand: Download.self)
}
