import Crypto
public import Foundation
public import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// A hub user: who signs in, and who they are to Spine (their SDS user id and role profile go in
/// every audit JWT the hub sends on their behalf).
public struct HubUser: Sendable, Equatable {
    public var username: String
    public var displayName: String
    public var sdsUserID: String
    public var roleProfileID: String?
    public var role: String

    public init(username: String, displayName: String, sdsUserID: String, roleProfileID: String? = nil, role: String = "Receptionist") {
        self.username = username
        self.displayName = displayName
        self.sdsUserID = sdsUserID
        self.roleProfileID = roleProfileID
        self.role = role
    }
}

/// A signed-in session: the user and the session's CSRF token.
public struct HubSession: Sendable, Equatable {
    public var user: HubUser
    public var csrf: String
    public var expires: Date
}

/// One line of the hub's own access log: who did what to which patient, at which practice, when.
public struct HubAccess: Sendable, Equatable {
    public var at: Date
    public var username: String
    public var action: String
    public var ods: String
    public var nhsNumber: String?
    public var outcome: String
}

/// A task the hub sent, kept so its outcome can be followed.
public struct HubSentTask: Sendable, Equatable {
    public var at: Date
    public var username: String
    public var ods: String
    public var taskID: String
    public var description: String
}

/// The hub's own database (users, sessions, access log, tasks it sent): a SQLite file of its own
/// with its own numbered migrations, apart from any provider's database. One connection, one
/// statement at a time (the hub's writes are a few small rows per page).
public actor HubStore {
    let connection: SQLiteConnection
    let pool: NIOThreadPool

    /// The migrations, in order; each runs once, in a transaction, and is recorded in `hub_migrations`.
    static let migrations: [(Int, [String])] = [
        (
            1,
            [
                """
                CREATE TABLE hub_users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, display_name TEXT NOT NULL,
                  sds_user_id TEXT NOT NULL, role_profile_id TEXT, role TEXT NOT NULL, created REAL NOT NULL)
                """,
                """
                CREATE TABLE hub_sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES hub_users(username) ON DELETE CASCADE,
                  csrf TEXT NOT NULL, expires REAL NOT NULL)
                """,
                """
                CREATE TABLE hub_access_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, username TEXT NOT NULL,
                  action TEXT NOT NULL, ods TEXT NOT NULL, nhs_number TEXT, outcome TEXT NOT NULL)
                """,
                """
                CREATE TABLE hub_tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, username TEXT NOT NULL, ods TEXT NOT NULL,
                  task_id TEXT NOT NULL, description TEXT NOT NULL)
                """,
            ]
        )
    ]

    init(connection: SQLiteConnection, pool: NIOThreadPool) {
        self.connection = connection
        self.pool = pool
    }

    /// Opens (creating and migrating if needed) the hub database at `path`.
    public static func open(path: String, logger: Logger = Logger(label: "gpconnect.hub.store")) async throws -> HubStore {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        do {
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: pool, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
            do {
                _ = try await connection.query("PRAGMA busy_timeout = 10000")
                _ = try await connection.query("PRAGMA foreign_keys = ON")
                _ = try await connection.query("PRAGMA journal_mode = WAL")
                let store = HubStore(connection: connection, pool: pool)
                try await store.migrate()
                return store
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
    }

    public func close() async {
        // The future form, awaited: it closes even from a cancelled task (a service group torn down
        // because a test or the server failed), where the async form can give up before it runs and
        // leave the handle open, which sqlite-nio asserts against when the connection is freed.
        try? await connection.close().get()
        try? await pool.shutdownGracefully()
    }

    func migrate() async throws {
        _ = try await connection.query("CREATE TABLE IF NOT EXISTS hub_migrations (number INTEGER PRIMARY KEY, applied REAL NOT NULL)")
        let applied = Set(try await connection.query("SELECT number FROM hub_migrations").compactMap { $0.column("number")?.integer })
        for (number, statements) in Self.migrations where !applied.contains(number) {
            _ = try await connection.query("BEGIN IMMEDIATE")
            do {
                for statement in statements { _ = try await connection.query(statement) }
                _ = try await connection.query(
                    "INSERT INTO hub_migrations (number, applied) VALUES (?, ?)", [.integer(number), .float(Date().timeIntervalSince1970)])
                _ = try await connection.query("COMMIT")
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    // MARK: Users

    /// Adds a user, or replaces one of the same name (a new password or role).
    public func addUser(_ user: HubUser, passwordHash: String) async throws {
        _ = try await connection.query(
            """
            INSERT INTO hub_users (username, password_hash, display_name, sds_user_id, role_profile_id, role, created)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, display_name = excluded.display_name,
              sds_user_id = excluded.sds_user_id, role_profile_id = excluded.role_profile_id, role = excluded.role
            """,
            [
                .text(user.username), .text(passwordHash), .text(user.displayName), .text(user.sdsUserID),
                user.roleProfileID.map { .text($0) } ?? .null, .text(user.role), .float(Date().timeIntervalSince1970),
            ])
    }

    public func users() async throws -> [HubUser] {
        try await connection.query("SELECT * FROM hub_users ORDER BY username").map(Self.user)
    }

    /// A user and their password hash.
    public func credentials(_ username: String) async throws -> (user: HubUser, passwordHash: String)? {
        guard let row = try await connection.query("SELECT * FROM hub_users WHERE username = ?", [.text(username)]).first,
            let hash = row.column("password_hash")?.string
        else { return nil }
        return (Self.user(row), hash)
    }

    static func user(_ row: SQLiteRow) -> HubUser {
        HubUser(
            username: row.column("username")?.string ?? "", displayName: row.column("display_name")?.string ?? "",
            sdsUserID: row.column("sds_user_id")?.string ?? "", roleProfileID: row.column("role_profile_id")?.string,
            role: row.column("role")?.string ?? "")
    }

    // MARK: Sessions

    /// Only a hash of the session token is stored: a copy of the database signs nobody in.
    static func tokenHash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public func createSession(token: String, username: String, csrf: String, expires: Date) async throws {
        _ = try await connection.query("DELETE FROM hub_sessions WHERE expires < ?", [.float(Date().timeIntervalSince1970)])
        _ = try await connection.query(
            "INSERT INTO hub_sessions (token_hash, username, csrf, expires) VALUES (?, ?, ?, ?)",
            [.text(Self.tokenHash(token)), .text(username), .text(csrf), .float(expires.timeIntervalSince1970)])
    }

    /// The session of a token, if it has not expired; its expiry then moves to `extendTo`.
    public func session(token: String, now: Date, extendTo: Date) async throws -> HubSession? {
        let hash = Self.tokenHash(token)
        guard
            let row = try await connection.query(
                """
                SELECT s.csrf, s.expires, u.* FROM hub_sessions s JOIN hub_users u ON u.username = s.username
                WHERE s.token_hash = ?
                """, [.text(hash)]
            ).first,
            let csrf = row.column("csrf")?.string, let expires = row.column("expires")?.double
        else { return nil }
        guard expires > now.timeIntervalSince1970 else {
            _ = try await connection.query("DELETE FROM hub_sessions WHERE token_hash = ?", [.text(hash)])
            return nil
        }
        _ = try await connection.query(
            "UPDATE hub_sessions SET expires = ? WHERE token_hash = ?", [.float(extendTo.timeIntervalSince1970), .text(hash)])
        return HubSession(user: Self.user(row), csrf: csrf, expires: extendTo)
    }

    public func deleteSession(token: String) async throws {
        _ = try await connection.query("DELETE FROM hub_sessions WHERE token_hash = ?", [.text(Self.tokenHash(token))])
    }

    // MARK: Access log and sent tasks

    public func logAccess(_ entry: HubAccess) async throws {
        _ = try await connection.query(
            "INSERT INTO hub_access_log (at, username, action, ods, nhs_number, outcome) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .float(entry.at.timeIntervalSince1970), .text(entry.username), .text(entry.action), .text(entry.ods),
                entry.nhsNumber.map { .text($0) } ?? .null, .text(entry.outcome),
            ])
    }

    public func accessLog(limit: Int = 200) async throws -> [HubAccess] {
        try await connection.query("SELECT * FROM hub_access_log ORDER BY id DESC LIMIT ?", [.integer(limit)]).map { row in
            HubAccess(
                at: Date(timeIntervalSince1970: row.column("at")?.double ?? 0), username: row.column("username")?.string ?? "",
                action: row.column("action")?.string ?? "", ods: row.column("ods")?.string ?? "",
                nhsNumber: row.column("nhs_number")?.string, outcome: row.column("outcome")?.string ?? "")
        }
    }

    public func recordTask(_ task: HubSentTask) async throws {
        _ = try await connection.query(
            "INSERT INTO hub_tasks (at, username, ods, task_id, description) VALUES (?, ?, ?, ?, ?)",
            [.float(task.at.timeIntervalSince1970), .text(task.username), .text(task.ods), .text(task.taskID), .text(task.description)])
    }

    public func sentTasks(limit: Int = 200) async throws -> [HubSentTask] {
        try await connection.query("SELECT * FROM hub_tasks ORDER BY id DESC LIMIT ?", [.integer(limit)]).map { row in
            HubSentTask(
                at: Date(timeIntervalSince1970: row.column("at")?.double ?? 0), username: row.column("username")?.string ?? "",
                ods: row.column("ods")?.string ?? "", taskID: row.column("task_id")?.string ?? "",
                description: row.column("description")?.string ?? "")
        }
    }
}
