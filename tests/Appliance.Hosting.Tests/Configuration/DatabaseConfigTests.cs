using Appliance.Hosting.Configuration;
using Appliance.Hosting.Startup;

namespace Appliance.Hosting.Tests.Configuration;

public sealed class DatabaseConfigTests
{
    [Fact]
    public void Nothing_set_means_the_embedded_sqlite_database()
    {
        var result = ConfigFile.Load("# nothing set\n");

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Equal(DatabaseType.Sqlite, result.Options.Database.Type);
    }

    [Fact]
    public void Postgres_without_a_server_is_refused_with_the_key_to_set()
    {
        var result = ConfigFile.Load("""
            database:
              type: postgres
            """);

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Key == "database.connection" && p.Message.Contains("database.host", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_password_file_and_a_bad_port_are_refused()
    {
        var result = ConfigFile.Load("""
            database:
              type: postgres
              host: db.example
              port: 70000
              password_file: /nonexistent/pw
            """);

        Assert.Contains(result.Problems, p => p.Key == "database.port");
        Assert.Contains(result.Problems, p => p.Key == "database.password_file");
    }

    [Fact]
    public void The_keys_become_postgres_settings_that_override_the_connection_string()
    {
        var result = ConfigFile.Load("""
            database:
              type: postgres
              connection: "Host=a.example;Database=one;Username=u1"
              host: b.example
              port: 6432
              name: two
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        var settings = DatabaseOpening.ToPostgresSettings(result.Options.Database);
        Assert.Equal("postgresql://u1@b.example:6432/two", settings.Display());
    }
}
