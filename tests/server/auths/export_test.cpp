// AuthsService::export_csv and the uploads it makes, on both back ends: the
// CSV text (header, quoting, joins, neutralised formulas), one auth alone,
// progress per batch, cancellation leaving nothing behind, and who may read
// an upload (owner and org admins; anyone else sees nothing).
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "server/auths/auths_service.hpp"
#include "storage/repos/uploads_repo.hpp"
#include "tests/server/support/domain_fixture.hpp"
#include "tests/storage/repos/auths_export_seed.hpp"

using namespace signoff;
using server::auths::AuthsService;
using server::core::Actor;
using server::core::ErrorKind;
using testing::AuthSeeder;
using testing::Domain;
using testing::PostgresBackend;
using testing::SeedAuth;
using testing::SqliteBackend;

namespace {

constexpr auto kHeader =
    "id,name,description,flag,protocols,slugs,items,departments,group_id,version,created_by,"
    "created_at,updated_at\r\n";
constexpr auto kTimes = "2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z\r\n";

struct Fixture {
    explicit Fixture(testing::Backend b) : d(b), auths(*d.tdb.db, d.clock, d.ids) {
        root = d.org_admin("acme", "root@acme.example");
    }
    Domain d;
    AuthsService auths;
    Actor root;
};

server::core::Result<server::auths::ExportOutcome> export_all(
    AuthsService& svc, Actor const& who, std::optional<std::string> id = std::nullopt
) {
    return svc.export_csv(who, std::move(id), {}, {});
}

std::string read_all(AuthsService& svc, Actor const& who, std::string const& upload_id) {
    std::string text;
    auto st = svc.read_upload(who, upload_id, [&text](std::string_view chunk) {
        text.append(chunk);
        return true;
    });
    REQUIRE_MESSAGE(st.has_value(), st.error().message);
    return text;
}

std::string seq_id(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "a%06d", n);
    return buf;
}

/// `n` plain auths a000001 … with a description of `desc_bytes` bytes.
void seed_many(Fixture& f, int n, std::size_t desc_bytes = 10) {
    std::vector<SeedAuth> list;
    for (int i = 1; i <= n; ++i) {
        list.push_back(SeedAuth{
            seq_id(i), "auth " + std::to_string(i), std::string(desc_bytes, 'd')});
        list.back().created_by = f.root.principal_id;
    }
    AuthSeeder(*f.d.tdb.db, f.root.org_id).add(list);
}

/// Fails every statement whose text contains `needle`, to prove that an export
/// failing part-way removes what it had written.
class FailingDb final : public storage::Db {
public:
    FailingDb(storage::Db& inner, std::string needle) : inner_(inner), needle_(std::move(needle)) {}
    storage::DbResult<std::unique_ptr<storage::Tx>> begin(storage::TxMode mode) override {
        auto tx = inner_.begin(mode);
        if (!tx) {
            return tx.error();
        }
        return std::unique_ptr<storage::Tx>{new FailingTx(std::move(*tx), needle_)};
    }
    std::string_view dialect() const override { return inner_.dialect(); }

private:
    class FailingTx final : public storage::Tx {
    public:
        FailingTx(std::unique_ptr<storage::Tx> tx, std::string const& needle)
            : tx_(std::move(tx)), needle_(needle) {}
        storage::DbResult<storage::Rows> query(std::string_view sql, storage::Params const& p)
            override {
            if (sql.find(needle_) != std::string_view::npos) {
                return injected();
            }
            return tx_->query(sql, p);
        }
        storage::DbResult<std::int64_t> exec(std::string_view sql, storage::Params const& p)
            override {
            if (sql.find(needle_) != std::string_view::npos) {
                return injected();
            }
            return tx_->exec(sql, p);
        }
        storage::DbStatus exec_script(std::string_view sql) override {
            return tx_->exec_script(sql);
        }
        storage::DbStatus commit() override { return tx_->commit(); }

    private:
        static storage::DbError injected() {
            return storage::DbError{storage::DbErrorKind::kOther, "injected", ""};
        }
        std::unique_ptr<storage::Tx> tx_;
        std::string needle_;
    };

    storage::Db& inner_;
    std::string needle_;
};

/// Answers kBusy to the first commit of a transaction that wrote an upload
/// chunk (the transaction is rolled back), as a contended SQLite would: the
/// export must retry it without losing the chunk.
class BusyOnceDb final : public storage::Db {
public:
    explicit BusyOnceDb(storage::Db& inner) : inner_(inner) {}
    storage::DbResult<std::unique_ptr<storage::Tx>> begin(storage::TxMode mode) override {
        auto tx = inner_.begin(mode);
        if (!tx) {
            return tx.error();
        }
        return std::unique_ptr<storage::Tx>{new BusyTx(std::move(*tx), fired_)};
    }
    std::string_view dialect() const override { return inner_.dialect(); }
    int fired() const { return fired_; }

private:
    class BusyTx final : public storage::Tx {
    public:
        BusyTx(std::unique_ptr<storage::Tx> tx, int& fired) : tx_(std::move(tx)), fired_(fired) {}
        storage::DbResult<storage::Rows> query(std::string_view sql, storage::Params const& p)
            override {
            return tx_->query(sql, p);
        }
        storage::DbResult<std::int64_t> exec(std::string_view sql, storage::Params const& p)
            override {
            wrote_chunk_ = wrote_chunk_ || sql.find("INTO upload_chunks") != std::string_view::npos;
            return tx_->exec(sql, p);
        }
        storage::DbStatus exec_script(std::string_view sql) override {
            return tx_->exec_script(sql);
        }
        storage::DbStatus commit() override {
            if (wrote_chunk_ && fired_ < 2) {
                ++fired_;
                return storage::DbError{storage::DbErrorKind::kBusy, "busy", ""};
            }
            return tx_->commit();
        }

    private:
        std::unique_ptr<storage::Tx> tx_;
        int& fired_;
        bool wrote_chunk_{false};
    };

    storage::Db& inner_;
    int fired_{0};
};

}  // namespace

TEST_SUITE("server/auths/export") {
    TEST_CASE_TEMPLATE(
        "an export failing part-way leaves no upload behind", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        seed_many(f, 1200, 600);
        for (auto const* needle :
             {"INSERT INTO upload_chunks", "SET complete", "FROM auth_part_links"}) {
            CAPTURE(needle);
            FailingDb failing(*f.d.tdb.db, needle);
            AuthsService svc(failing, f.d.clock, f.d.ids);
            auto out = svc.export_csv(f.root, std::nullopt, {}, {});
            REQUIRE_FALSE(out.has_value());
            CHECK(out.error().kind == ErrorKind::kInternal);
            CHECK(f.d.count("SELECT COUNT(*) FROM uploads", {}) == 0);
            CHECK(f.d.count("SELECT COUNT(*) FROM upload_chunks", {}) == 0);
        }
    }

    TEST_CASE_TEMPLATE(
        "export writes a header and one quoted, neutralised row per auth",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        auto const uid = f.root.principal_id;
        SeedAuth tricky{
            "a1",
            "Okta, SSO",
            "Say \"hi\"\nsecond line",
            "=1+1",
            {"oidc", "saml"},
            {"+x"},
            {"-x", "@x"},
            {"Zürich", "Engineering"},
        };
        tricky.created_by = uid;
        tricky.version = 2;
        SeedAuth tabbed{"a2", "\tTabbed", "认证 🔑"};
        tabbed.created_by = uid;
        AuthSeeder(*f.d.tdb.db, f.root.org_id).add({tricky, tabbed});

        auto out = export_all(f.auths, f.root);
        REQUIRE_MESSAGE(out.has_value(), out.error().message);
        CHECK(out->row_count == 2);
        CHECK(out->file_name == "auths-20260101T000000Z.csv");

        std::string const expected =
            std::string(kHeader) +
            "a1,\"Okta, SSO\",\"Say \"\"hi\"\"\nsecond line\",'=1+1,oidc; saml,'+x,'-x; @x,"
            "Engineering; Zürich,,2," +
            uid + "," + kTimes + "a2,'\tTabbed,认证 🔑,,,,,,,1," + uid + "," + kTimes;
        std::string const text = read_all(f.auths, f.root, out->upload_id);
        CHECK(text == expected);

        auto info = f.auths.upload_info(f.root, out->upload_id);
        REQUIRE(info.has_value());
        CHECK(info->size == static_cast<std::int64_t>(expected.size()));
        CHECK(info->file_name == out->file_name);
        CHECK(info->content_type == "text/csv; charset=utf-8");
        CHECK(info->owner_id == uid);
        CHECK(
            f.d.count(
                "SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = 'auths.exported' "
                "AND target_id = $2 AND channel = 'rest'",
                {f.root.org_id, out->upload_id}
            ) == 1
        );
    }

    TEST_CASE_TEMPLATE(
        "one auth exports alone; an unknown or foreign auth is not found",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        seed_many(f, 3);
        auto other = f.d.org_admin("globex", "root@globex.example");
        AuthSeeder(*f.d.tdb.db, other.org_id).add({SeedAuth{"b1", "theirs"}});

        auto one = export_all(f.auths, f.root, seq_id(2));
        REQUIRE(one.has_value());
        CHECK(one->row_count == 1);
        CHECK(one->file_name == "auth-" + seq_id(2) + ".csv");
        auto text = read_all(f.auths, f.root, one->upload_id);
        CHECK(text.rfind(kHeader, 0) == 0);
        CHECK(text.find(seq_id(1)) == std::string::npos);
        CHECK(text.find(seq_id(2) + ",auth 2,") != std::string::npos);

        CHECK(export_all(f.auths, f.root, std::string{"b1"}).error().kind == ErrorKind::kNotFound);
        CHECK(
            export_all(f.auths, f.root, std::string{"nope"}).error().kind == ErrorKind::kNotFound
        );
        CHECK(f.d.count("SELECT COUNT(*) FROM uploads", {}) == 1);
    }

    TEST_CASE_TEMPLATE(
        "an org without auths exports the header alone", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        auto out = export_all(f.auths, f.root);
        REQUIRE(out.has_value());
        CHECK(out->row_count == 0);
        CHECK(read_all(f.auths, f.root, out->upload_id) == kHeader);
    }

    TEST_CASE_TEMPLATE(
        "progress follows each batch and a large file spans several chunks",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        seed_many(f, 1200, 600);  // ~750 KB: three or more 256 KiB chunks
        std::vector<std::pair<std::int64_t, std::int64_t>> calls;
        auto out = f.auths.export_csv(
            f.root,
            std::nullopt,
            [&calls](std::int64_t done, std::int64_t total) { calls.emplace_back(done, total); },
            [] { return false; }
        );
        REQUIRE(out.has_value());
        CHECK(out->row_count == 1200);
        using P = std::pair<std::int64_t, std::int64_t>;
        CHECK(calls == std::vector<P>{{500, 1200}, {1000, 1200}, {1200, 1200}});
        CHECK(
            f.d.count(
                "SELECT COUNT(*) FROM upload_chunks WHERE upload_id = $1", {out->upload_id}
            ) >= 3
        );

        std::vector<std::size_t> chunk_sizes;
        std::string text;
        auto st = f.auths.read_upload(f.root, out->upload_id, [&](std::string_view c) {
            chunk_sizes.push_back(c.size());
            text.append(c);
            return true;
        });
        REQUIRE(st.has_value());
        CHECK(chunk_sizes.size() >= 3);
        std::size_t lines = 0;
        for (std::size_t at = text.find("\r\n"); at != std::string::npos;
             at = text.find("\r\n", at + 2)) {
            ++lines;
        }
        CHECK(lines == 1201);
        // Rows in id order: the last row is the last auth.
        CHECK(text.rfind(seq_id(1200) + ",auth 1200,") != std::string::npos);
        CHECK(text.find(seq_id(1) + ",") < text.find(seq_id(1200) + ","));

        // A sink that stops after the first chunk stops the read.
        std::size_t seen = 0;
        auto stopped = f.auths.read_upload(f.root, out->upload_id, [&seen](std::string_view) {
            ++seen;
            return false;
        });
        CHECK(stopped.has_value());
        CHECK(seen == 1);
    }

    TEST_CASE_TEMPLATE(
        "a chunk whose commit is retried is written exactly once", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        seed_many(f, 1200, 600);
        BusyOnceDb busy(*f.d.tdb.db);
        AuthsService svc(busy, f.d.clock, f.d.ids);
        auto out = svc.export_csv(f.root, std::nullopt, {}, {});
        REQUIRE_MESSAGE(out.has_value(), out.error().message);
        CHECK(busy.fired() == 2);
        auto info = f.auths.upload_info(f.root, out->upload_id);
        REQUIRE(info.has_value());
        std::string const text = read_all(f.auths, f.root, out->upload_id);
        CHECK(static_cast<std::int64_t>(text.size()) == info->size);
        CHECK(text.find(seq_id(1) + ",") != std::string::npos);
        CHECK(text.find(seq_id(700) + ",") != std::string::npos);
        CHECK(text.find(seq_id(1200) + ",") != std::string::npos);
    }

    TEST_CASE_TEMPLATE(
        "a cancelled export stops between batches and leaves no upload",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        seed_many(f, 1200, 600);
        int polls = 0;
        std::vector<std::int64_t> done;
        auto out = f.auths.export_csv(
            f.root,
            std::nullopt,
            [&done](std::int64_t d, std::int64_t) { done.push_back(d); },
            [&polls] { return ++polls >= 3; }  // let two batches run
        );
        REQUIRE_FALSE(out.has_value());
        CHECK(out.error().kind == ErrorKind::kUnavailable);
        CHECK(out.error().message == "export cancelled");
        CHECK(done == std::vector<std::int64_t>{500, 1000});
        CHECK(f.d.count("SELECT COUNT(*) FROM uploads", {}) == 0);
        CHECK(f.d.count("SELECT COUNT(*) FROM upload_chunks", {}) == 0);
        CHECK(f.d.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auths.exported'", {}) == 0);
    }

    TEST_CASE_TEMPLATE(
        "an upload is readable by its owner and org admins only", T, SqliteBackend, PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        seed_many(f, 2);
        auto bob = f.d.member(f.root, "bob@acme.example");
        auto carol = f.d.member(f.root, "carol@acme.example");
        auto admin = f.d.member(f.root, "admin@acme.example", "admin");
        auto hr = f.d.member(f.root, "hr@acme.example", "hr_admin");
        auto stranger = f.d.org_admin("globex", "root@globex.example");

        auto mine = export_all(f.auths, bob);  // any member may export
        REQUIRE(mine.has_value());
        CHECK(mine->row_count == 2);
        auto const id = mine->upload_id;
        for (Actor const* ok : {&bob, &admin, &f.root}) {
            CHECK(f.auths.upload_info(*ok, id).has_value());
            CHECK(read_all(f.auths, *ok, id).rfind(kHeader, 0) == 0);
        }
        for (Actor const* no : {&carol, &hr, &stranger}) {
            CHECK(f.auths.upload_info(*no, id).error().kind == ErrorKind::kNotFound);
            CHECK(f.auths.read_upload_chunk(*no, id, 0).error().kind == ErrorKind::kNotFound);
            bool called = false;
            auto st = f.auths.read_upload(*no, id, [&called](std::string_view) {
                called = true;
                return true;
            });
            CHECK(st.error().kind == ErrorKind::kNotFound);
            CHECK_FALSE(called);
        }
        CHECK(f.auths.upload_info(bob, "no-such-upload").error().kind == ErrorKind::kNotFound);
        CHECK(f.auths.read_upload_chunk(bob, id, 99).value() == std::nullopt);
    }

    TEST_CASE_TEMPLATE("an incomplete upload reads as absent", T, SqliteBackend, PostgresBackend) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        {
            auto tx = f.d.tdb.db->begin(storage::TxMode::kWrite);
            REQUIRE(tx.has_value());
            auto r = (*tx)->exec(
                "INSERT INTO uploads (id, org_id, owner_id, file_name, content_type, size, "
                "created_at, complete) VALUES ('half', $1, $2, 'x.csv', 'text/csv', 0, "
                "'2026-01-01T00:00:00.000Z', 0)",
                {f.root.org_id, f.root.principal_id}
            );
            REQUIRE_MESSAGE(r.has_value(), r.error().message);
            REQUIRE((*tx)->commit().has_value());
        }
        CHECK(f.auths.upload_info(f.root, "half").error().kind == ErrorKind::kNotFound);
        CHECK(f.auths.read_upload_chunk(f.root, "half", 0).error().kind == ErrorKind::kNotFound);
    }
}

TEST_SUITE("server/auths/export") {
    TEST_CASE_TEMPLATE(
        "the sweep deletes incomplete uploads older than an hour, in every org, and nothing else",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        auto other = f.d.org_admin("globex", "root@globex.example");
        auto const now = f.d.clock.now();
        auto at = [&](std::chrono::minutes ago) { return server::core::to_rfc3339(now - ago); };
        struct Made {
            char const* id;
            Actor const* owner;
            std::chrono::minutes age;
            bool complete;
        };
        std::vector<Made> const made{
            {"up-stale", &f.root, std::chrono::minutes(61), false},
            {"up-stale-other-org", &other, std::chrono::minutes(600), false},
            {"up-running", &f.root, std::chrono::minutes(59), false},
            {"up-done-long-ago", &f.root, std::chrono::minutes(6000), true},
        };
        {
            auto tx = f.d.tdb.db->begin(storage::TxMode::kWrite);
            REQUIRE(tx.has_value());
            for (auto const& m : made) {
                storage::repos::UploadRecord u;
                u.id = m.id;
                u.org_id = m.owner->org_id;
                u.owner_id = m.owner->principal_id;
                u.file_name = std::string(m.id) + ".csv";
                u.content_type = "text/csv; charset=utf-8";
                u.size = 3;
                u.created_at = at(m.age);
                u.complete = m.complete;
                REQUIRE(storage::repos::insert_upload(**tx, u).has_value());
                REQUIRE(storage::repos::insert_upload_chunk(**tx, u.id, 0, "a,b").has_value());
            }
            REQUIRE((*tx)->commit().has_value());
        }

        auto swept = f.auths.sweep_stale_uploads(now);
        REQUIRE_MESSAGE(swept.has_value(), swept.error().message);
        CHECK(*swept == 2);
        auto left = f.d.count(
            "SELECT COUNT(*) FROM uploads WHERE id IN ('up-running', 'up-done-long-ago')", {}
        );
        CHECK(left == 2);
        CHECK(f.d.count("SELECT COUNT(*) FROM uploads", {}) == 2);
        CHECK(f.d.count("SELECT COUNT(*) FROM upload_chunks", {}) == 2);
        // A second sweep finds nothing; an hour later the running one is stale too.
        CHECK(*f.auths.sweep_stale_uploads(now) == 0);
        CHECK(*f.auths.sweep_stale_uploads(now + std::chrono::minutes(2)) == 1);
    }

    TEST_CASE_TEMPLATE(
        "a user holds at most 20 exports; kept 7 days, then swept, which frees the quota",
        T,
        SqliteBackend,
        PostgresBackend
    ) {
        SIGNOFF_SKIP_WITHOUT_BACKEND(T);
        Fixture f{T::kBackend};
        auto other = f.d.member(f.root, "other@acme.example", "admin");
        for (int i = 0; i < 20; ++i) {
            auto out = export_all(f.auths, f.root);
            REQUIRE_MESSAGE(out.has_value(), out.error().message);
        }
        auto const uploads = f.d.count("SELECT COUNT(*) FROM uploads", {});
        auto refused = export_all(f.auths, f.root);
        REQUIRE(refused.has_error());
        CHECK(refused.error().kind == ErrorKind::kResourceExhausted);
        CHECK(f.d.count("SELECT COUNT(*) FROM uploads", {}) == uploads);
        // The quota is per user: someone else in the org still exports.
        CHECK(export_all(f.auths, other).has_value());
        // Six days on nothing is swept; past seven days every export is.
        auto const now = f.d.clock.now();
        CHECK(*f.auths.sweep_stale_uploads(now + std::chrono::hours(24 * 6)) == 0);
        CHECK(*f.auths.sweep_stale_uploads(now + std::chrono::hours(24 * 7 + 1)) == 21);
        CHECK(f.d.count("SELECT COUNT(*) FROM upload_chunks", {}) == 0);
        CHECK(export_all(f.auths, f.root).has_value());
    }
}
