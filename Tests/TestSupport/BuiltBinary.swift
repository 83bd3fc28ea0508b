import Foundation

/// Locates the built `mapillary-archiver` executable next to the test bundle.
public enum BuiltBinary {
    public static var path: String {
        // On Linux the test runner is `<products>/<Package>PackageTests.xctest`; the executable sits beside it.
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        if runner.pathExtension != "xctest" {
            // macOS: .../debug/Pkg.xctest/Contents/MacOS/Pkg
            while dir.pathExtension != "xctest" && dir.path != "/" { dir.deleteLastPathComponent() }
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("mapillary-archiver").path
    }
}
