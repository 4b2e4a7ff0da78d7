using DistTrain.Grains;
using DistTrain.Silo.Data;
using DistTrain.Grains.Devices;
using DistTrain.Grains.Runs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography.X509Certificates;
using DistTrain.Silo.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace DistTrain.Silo;

/// <summary>
/// Turns a host into a DistTrain silo. The same two calls serve the silo program, the
/// client's embedded single-process mode and the cluster tests:
/// <code>
/// var builder = Host.CreateApplicationBuilder(args);
/// builder.UseDistTrain();                 // clustering + AddDistTrainSilo
/// await builder.Build().RunAsync();
/// </code>
/// and, where clustering is set up elsewhere (Orleans.TestingHost), <c>siloBuilder.AddDistTrainSilo()</c>.
/// </summary>
public static class DistTrainSiloExtensions
{
    /// <summary>Configuration section bound to Orleans' <see cref="ClusterMembershipOptions"/> (how fast a dead silo is noticed).</summary>
    public const string MembershipSection = DistTrainClusterOptions.SectionName + ":Membership";

    /// <summary>
    /// Adds an Orleans silo to the host: Redis clustering, storage and reminders when
    /// <see cref="DistTrainClusterOptions.RedisConnectionString"/> is set, otherwise localhost
    /// clustering with in-memory storage; mutual TLS on both ports when
    /// <see cref="DistTrainTlsOptions.Enabled"/> (section <c>DistTrain:Tls</c>); then <see cref="AddDistTrainSilo"/>.
    /// <paramref name="configure"/> runs last, for further silo settings.
    /// </summary>
    public static IHostApplicationBuilder UseDistTrain(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var cluster = new DistTrainClusterOptions();
        builder.Configuration.GetSection(DistTrainClusterOptions.SectionName).Bind(cluster);
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(cluster, new(cluster), results, validateAllProperties: true))
        {
            throw new OptionsValidationException(DistTrainClusterOptions.SectionName, typeof(DistTrainClusterOptions), results.Select(r => $"{DistTrainClusterOptions.SectionName}: {r.ErrorMessage}"));
        }

        var tls = new DistTrainTlsOptions();
        builder.Configuration.GetSection(DistTrainTlsOptions.SectionName).Bind(tls);
        var (certificate, authorities) = LoadTls(tls);

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            if (cluster.UsesRedis)
            {
                silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.RedisConnectionString!));
                if (string.IsNullOrWhiteSpace(cluster.AdvertisedAddress))
                {
                    silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
                }
                else
                {
                    silo.ConfigureEndpoints(ParseAddress(cluster.AdvertisedAddress), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
                }
            }
            else
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, cluster.PrimarySiloPort), cluster.ServiceId, cluster.ClusterId);
            }

            if (tls.Enabled)
            {
                // Mutual TLS on the silo port and the gateway: a peer without a certificate of the
                // cluster's CA is refused in the handshake, before any Orleans message.
                silo.UseTls(certificate!, options => ClusterTls.Configure(options, tls, certificate, authorities));

                // The tensor link between silos carries the same gradients and weights: the same certificates, the same judge.
                bool checkName = !string.IsNullOrWhiteSpace(tls.ServerName);
                silo.Services.AddSingleton(new Grains.Link.TensorLinkSecurity(certificate!, (remote, errors) => ClusterTls.IsAcceptable(remote, errors, authorities, checkName), checkName ? tls.ServerName : null));
            }

            silo.Services.AddHostedService(sp => new TransportSecurityNotice(sp.GetRequiredService<ILogger<TransportSecurityNotice>>(), tls.Enabled, cluster.UsesRedis));

            // Orleans' failure detection (ProbeTimeout, NumMissedProbesLimit, …) from DistTrain:Cluster:Membership.
            silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(MembershipSection));
            silo.AddDistTrainSilo(redisConnectionString: cluster.RedisConnectionString);
            configure?.Invoke(silo);
        });
        return builder;
    }

    private static (X509Certificate2? Certificate, X509Certificate2Collection? Authorities) LoadTls(DistTrainTlsOptions tls)
    {
        if (!tls.Enabled)
        {
            return (null, null);
        }

        if (!tls.HasCertificate)
        {
            throw new OptionsValidationException(DistTrainTlsOptions.SectionName, typeof(DistTrainTlsOptions), [$"{DistTrainTlsOptions.SectionName}:Enabled is true but no certificate is set (CertificatePath, or StoreSubject)."]);
        }

        try
        {
            return (ClusterTls.LoadCertificate(tls), ClusterTls.LoadAuthorities(tls));
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(DistTrainTlsOptions.SectionName, typeof(DistTrainTlsOptions), [e.Message]);
        }
    }

    private static System.Net.IPAddress ParseAddress(string text) =>
        System.Net.IPAddress.TryParse(text, out var address)
            ? address
            : throw new OptionsValidationException(DistTrainClusterOptions.SectionName, typeof(DistTrainClusterOptions), [$"{DistTrainClusterOptions.SectionName}:AdvertisedAddress '{text}' is not an IP address."]);

    /// <summary>
    /// Adds the DistTrain grains' services to a silo whose clustering is already set up: the
    /// options (sections <see cref="DeviceOptions.SectionName"/>,
    /// <see cref="CoordinatorOptions.SectionName"/> and <see cref="Grains.Plugins.PluginOptions.SectionName"/>,
    /// whose folder of custom layer assemblies is loaded at start), device discovery, the data-set
    /// provider, worker placement, the grain storage <see cref="DistTrainStorage.Name"/>
    /// and reminders (Redis when <paramref name="redisConnectionString"/> is given, else in memory).
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="configureDevices">Overrides of the device options (applied after configuration).</param>
    /// <param name="configureCoordinator">Overrides of the coordinator options (applied after configuration).</param>
    /// <param name="redisConnectionString">Redis for grain state and reminders; null keeps them in memory.</param>
    public static ISiloBuilder AddDistTrainSilo(
        this ISiloBuilder builder,
        Action<DeviceOptions>? configureDevices = null,
        Action<CoordinatorOptions>? configureCoordinator = null,
        string? redisConnectionString = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddStandardDataSets();
        builder.AddDistTrainGrains();
        var devices = builder.Services.AddOptions<DeviceOptions>().BindConfiguration(DeviceOptions.SectionName);
        if (configureDevices is not null)
        {
            devices.Configure(configureDevices);
        }

        devices.ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<Grains.Link.TensorLinkOptions>().BindConfiguration(Grains.Link.TensorLinkOptions.SectionName)
            .Validate(o => o.ConnectTimeout > TimeSpan.Zero && o.RequestTimeout > TimeSpan.Zero, $"{Grains.Link.TensorLinkOptions.SectionName}: ConnectTimeout and RequestTimeout must be positive.")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<Grains.Plugins.PluginOptions>().BindConfiguration(Grains.Plugins.PluginOptions.SectionName);
        var coordinator = builder.Services.AddOptions<CoordinatorOptions>().BindConfiguration(CoordinatorOptions.SectionName);
        if (configureCoordinator is not null)
        {
            coordinator.Configure(configureCoordinator);
        }

        coordinator
            .Validate(o => o.ReminderPeriod >= TimeSpan.FromSeconds(1), $"{CoordinatorOptions.SectionName}:ReminderPeriod must be at least 1 second.")
            .Validate(o => o.StateWriteRetryPeriod >= TimeSpan.FromMilliseconds(100), $"{CoordinatorOptions.SectionName}:StateWriteRetryPeriod must be at least 100 ms.")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ReminderOptions>().Configure<IOptions<CoordinatorOptions>>((reminders, options) =>
        {
            if (options.Value.ReminderPeriod < reminders.MinimumReminderPeriod)
            {
                reminders.MinimumReminderPeriod = options.Value.ReminderPeriod;
            }
        });
        builder.Services.AddSingleton(sp => DeviceDiscovery.Discover(sp.GetRequiredService<IOptions<DeviceOptions>>().Value));

        if (!string.IsNullOrWhiteSpace(redisConnectionString))
        {
            builder.AddRedisGrainStorage(DistTrainStorage.Name, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redisConnectionString));
            builder.UseRedisReminderService(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redisConnectionString));
        }
        else
        {
            builder.AddMemoryGrainStorage(DistTrainStorage.Name);
            builder.UseInMemoryReminderService();
        }

        return builder;
    }
}
