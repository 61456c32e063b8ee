// Jest project "postgres": the shared helpers (tests/helpers/app.ts, server.ts) put writer-local on PostgreSQL.
process.env.WRITER_TEST_STORE = "postgres";
