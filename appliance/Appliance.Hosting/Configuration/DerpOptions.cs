namespace Appliance.Hosting.Configuration;

/// <summary>The `derp:` section: the embedded DERP relay and STUN responder and the region it advertises.</summary>
public sealed class DerpOptions
{
    /// <summary>Run the embedded DERP relay and STUN responder and advertise them in the DERP map. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Region ID in the DERP map. 900..999 (Tailscale's range for custom regions), default 900.</summary>
    public int RegionId { get; set; } = 900;

    /// <summary>Short region code shown by `tailscale netcheck`. Default appliance.</summary>
    public string RegionCode { get; set; } = "appliance";

    /// <summary>Human-readable region name. Default "Appliance embedded DERP".</summary>
    public string RegionName { get; set; } = "Appliance embedded DERP";

    /// <summary>Host name clients connect to for DERP; empty means server_url's host. Default empty.</summary>
    public string Hostname { get; set; } = "";

    /// <summary>IPv4 address advertised for the DERP node (lets clients skip DNS); empty: none. Default empty.</summary>
    public string Ipv4 { get; set; } = "";

    /// <summary>IPv6 address advertised for the DERP node; empty: none. Default empty.</summary>
    public string Ipv6 { get; set; } = "";

    /// <summary>DERP (HTTPS) port advertised; 0 means the port of server.https_listen. 0..65535, default 0.</summary>
    public int DerpPort { get; set; }

    /// <summary>UDP address of the STUN responder, `IP:PORT`. Default 127.0.0.1:3478 (loopback, so a bare `serve` exposes nothing); set 0.0.0.0:3478 in production.</summary>
    public string StunListen { get; set; } = "127.0.0.1:3478";

    /// <summary>Optional JSON file (tailcfg.DERPMap, as `tailscale debug derp-map` prints it) with extra DERP regions to merge into the map. Default empty.</summary>
    public string ExtraMapFile { get; set; } = "";

    /// <summary>
    /// Also accept the DERP upgrade on plain HTTP (server.listen). Default false: like derper, DERP is served over
    /// HTTPS only; release clients dial DERP with TLS unless TS_DEBUG_USE_DERP_HTTP is set. For debugging and the
    /// loopback benchmark.
    /// </summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>Admit only DERP clients whose node key is a known, unexpired node. Default true.</summary>
    public bool VerifyClients { get; set; } = true;

    /// <summary>Maximum concurrent DERP connections. 1..1000000, default 10000.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Maximum DERP connections still in their handshake, counted apart from max_connections so junk upgrades cannot lock out admitted nodes. 1..1000000, default 256.</summary>
    public int MaxPendingHandshakes { get; set; } = 256;

    /// <summary>Packets queued per client before a newly arriving one is dropped and counted (docs/decisions/0041). 1..4096, default 32 (Tailscale's derpserver perClientSendQueueDepth).</summary>
    public int SendQueuePackets { get; set; } = 32;

    /// <summary>
    /// The DERP mesh's pre-shared key: a file holding 64 hex characters, mode 0600 (docs/ops/derp-mesh.md). Created on
    /// first start when missing; copy that same file to every instance of the mesh. Empty: no mesh. Default empty.
    /// </summary>
    public string MeshKeyFile { get; set; } = "";

    /// <summary>
    /// The other instances' DERP URLs (https://HOST:PORT, or http:// to a peer with derp.allow_plain_http), one mesh
    /// link each; they are also listed as nodes of this region in the DERP map. Needs derp.mesh_key_file. Default empty.
    /// </summary>
    public List<string> MeshPeers { get; set; } = [];

    /// <summary>PEM file of CA certificates that mesh peers' TLS certificates may chain to, besides the system's. Default empty.</summary>
    public string MeshCaFile { get; set; } = "";
}
