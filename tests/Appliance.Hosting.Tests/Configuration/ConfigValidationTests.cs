using Appliance.Hosting.Configuration;
using Appliance.Hosting.Tls;

namespace Appliance.Hosting.Tests.Configuration;

public class ConfigValidationTests
{
    [Fact]
    public void The_embedded_defaults_are_valid_without_any_file()
    {
        var result = ConfigLoader.Load(null, new Dictionary<string, string>(), defaultPath: "/nonexistent/appliance.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Null(result.SourceFile);
        Assert.Equal("127.0.0.1:8080", result.Options.Server.Listen);
        Assert.Equal("./data", result.Options.Server.DataDir);
        Assert.Equal(TimeSpan.FromDays(180), result.Options.Nodes.KeyExpiry);
    }

    [Fact]
    public void An_empty_file_means_the_embedded_defaults()
    {
        var result = ConfigFile.Load("# nothing set\n");

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Equal(new ServerOptions().Listen, result.Options.Server.Listen);
    }

    [Fact]
    public void A_file_sets_values_of_every_kind()
    {
        var result = ConfigFile.Load("""
            server:
              listen: 0.0.0.0:80
              shutdown_timeout: 30s
            log:
              level: debug
              retained_files: 7
            prefixes:
              allocation: random
            dns:
              nameservers: [10.0.0.53]
              split_dns:
                corp.example: [10.0.0.54, 10.0.0.55]
              extra_records:
                - {name: grafana.tailnet.internal, type: A, value: 100.64.0.10}
            tls:
              mode: off
              renew_at: 0.5
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        var o = result.Options;
        Assert.Equal("0.0.0.0:80", o.Server.Listen);
        Assert.Equal(TimeSpan.FromSeconds(30), o.Server.ShutdownTimeout);
        Assert.Equal(LogLevelName.Debug, o.Log.Level);
        Assert.Equal(7, o.Log.RetainedFiles);
        Assert.Equal(IpAllocation.Random, o.Prefixes.Allocation);
        Assert.Equal(["10.0.0.53"], o.Dns.Nameservers);
        Assert.Equal(["10.0.0.54", "10.0.0.55"], o.Dns.SplitDns["corp.example"]);
        Assert.Equal("100.64.0.10", Assert.Single(o.Dns.ExtraRecords).Value);
        Assert.Equal(TlsMode.Off, o.Tls.Mode);
        Assert.Equal(0.5, o.Tls.RenewAt);
    }

    [Theory]
    [InlineData("server: {listen: localhost:8080}", "server.listen")]
    [InlineData("server: {https_listen: nope}", "server.https_listen")]
    [InlineData("server: {listen: 127.0.0.1:9000, https_listen: 127.0.0.1:9000}", "server.https_listen")]
    [InlineData("server: {server_url: not-a-url}", "server.server_url")]
    [InlineData("server: {server_url: ftp://host}", "server.server_url")]
    [InlineData("server: {server_url: http://host/path}", "server.server_url")]
    [InlineData("server: {data_dir: ''}", "server.data_dir")]
    [InlineData("server: {shutdown_timeout: 0}", "server.shutdown_timeout")]
    [InlineData("server: {shutdown_timeout: 1d}", "server.shutdown_timeout")]
    [InlineData("server: {shutdown_timeout: soon}", "server.shutdown_timeout")]
    [InlineData("log: {level: loud}", "log.level")]
    [InlineData("log: {retained_files: 0}", "log.retained_files")]
    [InlineData("log: {retained_files: many}", "log.retained_files")]
    [InlineData("log: {console_format: xml}", "log.console_format")]
    [InlineData("prefixes: {v4: 10.0.0.0/8}", "prefixes.v4")]
    [InlineData("prefixes: {v4: 100.64.0.1/10}", "prefixes.v4")]
    [InlineData("prefixes: {v4: 100.64.0.0/32}", "prefixes.v4")]
    [InlineData("prefixes: {v6: 'fd00::/8'}", "prefixes.v6")]
    [InlineData("prefixes: {allocation: clever}", "prefixes.allocation")]
    [InlineData("nodes: {key_expiry: 10m}", "nodes.key_expiry")]
    [InlineData("nodes: {ephemeral_inactivity_timeout: 1s}", "nodes.ephemeral_inactivity_timeout")]
    [InlineData("nodes: {change_coalesce: 1m}", "nodes.change_coalesce")]
    [InlineData("dns: {base_domain: 'bad domain'}", "dns.base_domain")]
    [InlineData("dns: {base_domain: example.com}\nserver: {server_url: 'http://vpn.example.com'}", "dns.base_domain")]
    [InlineData("dns: {nameservers: [dns.example]}", "dns.nameservers[0]")]
    [InlineData("dns: {nameservers: 10.0.0.53}", "dns.nameservers")]
    [InlineData("dns: {split_dns: {corp.example: []}}", "dns.split_dns.corp.example")]
    [InlineData("dns: {split_dns: {corp.example: [nope]}}", "dns.split_dns.corp.example[0]")]
    [InlineData("dns: {search_domains: ['-bad']}", "dns.search_domains[0]")]
    [InlineData("dns: {extra_records: [{name: a.tailnet.internal, type: MX, value: x}]}", "dns.extra_records[0].type")]
    [InlineData("dns: {extra_records: [{name: a.tailnet.internal, type: A, value: '::1'}]}", "dns.extra_records[0].value")]
    [InlineData("dns: {extra_records: [{name: a.tailnet.internal, ttl: 5}]}", "dns.extra_records[0].ttl")]
    [InlineData("dns: {magic_dns: maybe}", "dns.magic_dns")]
    [InlineData("derp: {region_id: 1}", "derp.region_id")]
    [InlineData("derp: {region_code: 'Has Space'}", "derp.region_code")]
    [InlineData("derp: {region_name: ''}", "derp.region_name")]
    [InlineData("derp: {hostname: 'bad host'}", "derp.hostname")]
    [InlineData("derp: {ipv4: '::1'}", "derp.ipv4")]
    [InlineData("derp: {ipv6: 10.0.0.1}", "derp.ipv6")]
    [InlineData("derp: {derp_port: 70000}", "derp.derp_port")]
    [InlineData("derp: {stun_listen: ':3478'}", "derp.stun_listen")]
    [InlineData("derp: {extra_map_file: /nonexistent/derp.yaml}", "derp.extra_map_file")]
    [InlineData("derp: {mesh_peers: ['https://b.example:8443']}", "derp.mesh_key_file")]
    [InlineData("derp: {mesh_key_file: /tmp/k, mesh_peers: ['ftp://b.example']}", "derp.mesh_peers[0]")]
    [InlineData("derp: {mesh_key_file: /tmp/k, mesh_peers: ['not a url']}", "derp.mesh_peers[0]")]
    [InlineData("derp: {mesh_ca_file: /nonexistent/ca.pem}", "derp.mesh_ca_file")]
    [InlineData("derp: {max_connections: 0}", "derp.max_connections")]
    [InlineData("derp: {send_queue_packets: 100000}", "derp.send_queue_packets")]
    [InlineData("tls: {mode: files}", "tls.cert_file")]
    [InlineData("tls: {mode: files, cert_file: /nonexistent/c.pem, key_file: /nonexistent/k.pem}", "tls.key_file")]
    [InlineData("tls: {mode: acme}", "tls.mode")]
    [InlineData("tls: {dns_names: ['bad name']}", "tls.dns_names[0]")]
    [InlineData("tls: {ip_addresses: [nope]}", "tls.ip_addresses[0]")]
    [InlineData("tls: {leaf_lifetime: 1000d}", "tls.leaf_lifetime")]
    [InlineData("tls: {chain: partial}", "tls.chain")]
    [InlineData("tls: {renew_at: 1.5}", "tls.renew_at")]
    [InlineData("policy: {file: /nonexistent/policy.hujson}", "policy.file")]
    [InlineData("policy: {reload: sometimes}", "policy.reload")]
    [InlineData("updates: {health_timeout: 1s}", "updates.health_timeout")]
    [InlineData("server: {listne: 127.0.0.1:1}", "server.listne")]
    [InlineData("servr: {listen: 127.0.0.1:1}", "servr")]
    [InlineData("server: [a, b]", "server")]
    [InlineData("server: {listen: [a, b]}", "server.listen")]
    [InlineData("- just\n- a list", "(file)")]
    [InlineData("server: {listen: 'unterminated", "(file)")]
    public void Every_invalid_value_is_reported_with_its_key(string yaml, string key)
    {
        var result = ConfigFile.Load(yaml);

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Key == key);
        Assert.All(result.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
    }

    [Fact]
    public void All_problems_are_collected_not_just_the_first()
    {
        var result = ConfigFile.Load("""
            server: {listen: nope, shutdown_timeout: 1d}
            log: {retained_files: 0}
            derp: {region_id: 5}
            """);

        Assert.Equal(
            ["derp.region_id", "log.retained_files", "server.listen", "server.shutdown_timeout"],
            result.Problems.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_typo_gets_a_suggestion_and_the_line_it_is_on()
    {
        var result = ConfigFile.Load("server:\n  listne: 127.0.0.1:1\n");

        var problem = Assert.Single(result.Problems);
        Assert.Contains("did you mean 'listen'", problem.Message, StringComparison.Ordinal);
        Assert.EndsWith("line 2", problem.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_config_file_given_explicitly_is_a_problem()
    {
        var result = ConfigLoader.Load("/nonexistent/appliance.yaml", new Dictionary<string, string>(), defaultPath: "/nonexistent/default.yaml");

        Assert.Equal("--config", Assert.Single(result.Problems).Key);
    }

    [Fact]
    public void A_data_dir_too_long_for_the_admin_socket_is_refused()
    {
        var result = ConfigFile.Load($"server: {{data_dir: /tmp/{new string('d', 120)}}}");

        Assert.Contains(result.Problems, p => p.Key == "server.data_dir" && p.Message.Contains("Unix socket", StringComparison.Ordinal));
    }
}
