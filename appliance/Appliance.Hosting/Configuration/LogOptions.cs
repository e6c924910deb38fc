namespace Appliance.Hosting.Configuration;

/// <summary>The `log:` section: Serilog levels, the rolling file and the console format.</summary>
public sealed class LogOptions
{
    /// <summary>Minimum level: Verbose, Debug, Information, Warning, Error or Fatal. Default Information.</summary>
    public LogLevelName Level { get; set; } = LogLevelName.Information;

    /// <summary>Rolling log file; the date is inserted before the extension. Empty means `&lt;data_dir&gt;/logs/appliance.log`. `off` disables the file.</summary>
    public string File { get; set; } = "";

    /// <summary>How many daily files are kept. 1..3650, default 14.</summary>
    public int RetainedFiles { get; set; } = 14;

    /// <summary>Size in MiB at which the log file rolls over to a new file (appliance20261125_001.log); retained_files bounds the count, so the folder holds at most their product. 1..10240, default 100.</summary>
    public int FileSizeLimitMb { get; set; } = 100;

    /// <summary>Console format: auto (plain under systemd, timestamped otherwise), plain, timestamped or json. Default auto.</summary>
    public ConsoleLogFormat ConsoleFormat { get; set; } = ConsoleLogFormat.Auto;
}

/// <summary>Serilog's level names, spelled as operators write them in YAML.</summary>
public enum LogLevelName
{
    Verbose,
    Debug,
    Information,
    Warning,
    Error,
    Fatal,
}

/// <summary>How console log lines look.</summary>
public enum ConsoleLogFormat
{
    /// <summary>Plain when INVOCATION_ID or JOURNAL_STREAM says systemd captures the output, else timestamped.</summary>
    Auto,

    /// <summary>No timestamp, no colour, a syslog priority prefix journald understands.</summary>
    Plain,

    /// <summary>Local time stamp and level on every line.</summary>
    Timestamped,

    /// <summary>One JSON object per line.</summary>
    Json,
}
