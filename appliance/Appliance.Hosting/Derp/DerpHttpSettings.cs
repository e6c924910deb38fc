namespace Appliance.Hosting.Derp;

/// <summary>How the /derp endpoint treats its transport (from <c>derp.allow_plain_http</c>).</summary>
public sealed record DerpHttpSettings(bool AllowPlainHttp);
