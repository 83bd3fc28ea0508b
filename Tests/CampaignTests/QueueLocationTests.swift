import Campaign
import Testing

/// `--queue` values, `MAPILLARY_ARCHIVER_QUEUE` and the default file.
@Suite struct QueueLocationTests {
    @Test func theOptionWinsThenTheEnvironmentThenTheDefaultFile() throws {
        let env = ["HOME": "/home/ann", QueueLocation.environmentVariable: "postgres://ann@db.example/campaign"]
        #expect(try QueueLocation.resolve("/tmp/q.sqlite", environment: env) == .sqlite(path: "/tmp/q.sqlite"))
        #expect(
            try QueueLocation.resolve(nil, environment: env) == .postgres(url: "postgres://ann@db.example/campaign"))
        #expect(
            try QueueLocation.resolve(nil, environment: ["HOME": "/home/ann"])
                == .sqlite(path: "/home/ann/.local/share/mapillary-archiver/queue.sqlite"))
        #expect(
            try QueueLocation.resolve(nil, environment: ["HOME": "/home/ann", "XDG_DATA_HOME": "/data"])
                == .sqlite(path: "/data/mapillary-archiver/queue.sqlite"))
    }

    @Test func pathsAndURLsAreTold() throws {
        let env = ["HOME": "/home/ann"]
        #expect(try QueueLocation(parsing: "queue.sqlite") == .sqlite(path: "queue.sqlite"))
        #expect(try QueueLocation(parsing: "~/q.sqlite", environment: env) == .sqlite(path: "/home/ann/q.sqlite"))
        #expect(try QueueLocation(parsing: "sqlite:///srv/q.sqlite") == .sqlite(path: "/srv/q.sqlite"))
        #expect(try QueueLocation(parsing: "sqlite:q.sqlite") == .sqlite(path: "q.sqlite"))
        #expect(try QueueLocation(parsing: "POSTGRESQL://h/db") == .postgres(url: "POSTGRESQL://h/db"))
        for bad in ["mysql://ann:pw@h/db", "https://example.org/queue", ""] {
            let error = #expect(throws: CampaignError.self) { try QueueLocation(parsing: bad) }
            #expect(error?.code == .usage)
            #expect(error?.description.contains("pw") == false)
        }
    }

    @Test func passwordsAreMaskedWhereverTheURLIsShown() {
        #expect(
            QueueLocation.postgres(url: "postgres://ann:p%40ss@db:5433/campaign?sslmode=require").displayName
                == "postgres://ann:***@db:5433/campaign?sslmode=require")
        #expect(
            QueueLocation.postgres(url: "postgresql://ann@db/campaign?password=secret&sslmode=require").displayName
                == "postgresql://ann@db/campaign?password=***&sslmode=require")
        #expect(QueueLocation.postgres(url: "postgres://db/campaign").displayName == "postgres://db/campaign")
    }
}
