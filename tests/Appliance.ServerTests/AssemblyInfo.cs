using System.Runtime.Versioning;

// The appliance targets Linux only (systemd, Unix sockets, file modes); so do its server tests.
[assembly: SupportedOSPlatform("linux")]
