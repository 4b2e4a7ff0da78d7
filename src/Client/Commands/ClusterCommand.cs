using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Grains;
using Orleans.Runtime;
using Spectre.Console;

namespace DistTrain.Client.Commands;

/// <summary><c>disttrain cluster</c>: the live silos, their compute devices and the workers driving them.</summary>
internal static class ClusterCommand
{
    /// <summary>One silo as <c>cluster --json</c> reports it.</summary>
    internal sealed record SiloView(string Address, string Name, string Host, string Status, int GatewayPort, IReadOnlyList<DeviceInfo> Devices);

    public static Command Create(CliConsole console, CliHooks hooks)
    {
        var json = CommandSupport.JsonOption();
        var connection = new ConnectionOptions();
        var command = new Command("cluster", "Show the cluster's silos, their devices and workers.") { json };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var cluster = await CommandSupport.ConnectAsync(connection.Read(parse), hooks, "cluster", parse.GetValue(json), cancellationToken);
            var management = cluster.Grains.GetGrain<IManagementGrain>(0);
            var hosts = await management.GetDetailedHosts(onlyActive: true).WaitAsync(cancellationToken);
            var silos = new List<SiloView>();
            foreach (var host in hosts.OrderBy(h => h.SiloAddress.ToString(), StringComparer.Ordinal))
            {
                var devices = await cluster.Grains.GetGrain<IDeviceRegistryGrain>(host.SiloAddress.ToParsableString()).GetDevices().WaitAsync(cancellationToken);
                silos.Add(new SiloView(host.SiloAddress.ToParsableString(), host.SiloName, host.HostName, host.Status.ToString(), host.ProxyPort, devices));
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, new { silos, workers = silos.Sum(s => s.Devices.Count) });
                return ExitCodes.Success;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{silos.Count} silos, {silos.Sum(s => s.Devices.Count)} workers");
            table.AddColumns("silo", "host", "gateway", "device", "worker", "description");
            foreach (var silo in silos)
            {
                var first = true;
                foreach (var device in silo.Devices.DefaultIfEmpty())
                {
                    table.AddRow(
                        first ? Markup.Escape($"{silo.Name} ({silo.Address})") : string.Empty,
                        first ? Markup.Escape(silo.Host) : string.Empty,
                        first ? silo.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty,
                        Markup.Escape(device?.DeviceId ?? "-"),
                        Markup.Escape(device?.WorkerKey ?? "-"),
                        Markup.Escape(device?.Description ?? "no devices"));
                    first = false;
                }
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
