// The appliance runs on Linux only (systemd, file modes); these tests check Unix permissions directly.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
