import {
    type AuthType,
    awsRegionOf,
    type BackendAuthConfig,
    type BackendConfig,
    type CredentialOverrideConfig,
    backendUsesTls,
    isAwsSchema,
    type OidcExchangeConfig,
    type SchemaName,
    backendTlsSettings,
} from "../../config/schema";
import type { BackendEndpoint, BackendSecurityPolicyCredentialOverride, BackendSecurityPolicyOIDC, BackendSecurityPolicySpec, SecretObjectReference } from "../../specs";
import { Manifest, manifest } from "../../specs/manifest";
import { mutationSpec } from "./mutation";
import { backendTlsSection, tlsValidationTrust } from "./backendTls";
import { CA_CERTIFICATE_KEY } from "./security";
import { quotaPolicySpec } from "./quota";
import type { GatewayRef } from "./routes";
import type { BackendNames } from "../../plan/names";

/** The key of the Secret each credential type is read from (AI Gateway v1.1.0 controller). */
export const SECRET_KEYS: { readonly [T in AuthType]: string } = {
    APIKey: "apiKey",
    AzureAPIKey: "apiKey",
    AnthropicAPIKey: "apiKey",
    AWSCredentials: "credentials",
    AzureCredentials: "client-secret",
    GCPCredentials: "service_account.json",
};

/**
 * Schema versions used when the config sets none. Cohere's is the path prefix of its API: without it the AI Gateway
 * sends a rerank to `/rerank`, which Cohere does not serve (`/v2/rerank`; seen on real traffic).
 */
export const DEFAULT_SCHEMA_VERSIONS: Partial<Record<SchemaName, string>> = {
    AWSAnthropic: "bedrock-2023-05-31",
    GCPAnthropic: "vertex-2023-10-16",
    Cohere: "v2",
};

/** Where a backend is reached. Host names are lower-cased: the CRDs accept nothing else. */
export interface Endpoint {
    hostname: string;
    port: number;
    tls: boolean;
}

export function backendEndpoint(config: BackendConfig, stackRegion: string | undefined): Endpoint {
    let hostname = config.hostname;
    if (hostname === undefined && isAwsSchema(config.schema)) {
        const region = awsRegionOf(config, stackRegion);
        if (region !== undefined) hostname = `bedrock-runtime.${region}.amazonaws.com`;
    }
    if (hostname === undefined) throw new Error(`backend with schema ${config.schema} has no hostname (validation should have caught this)`);
    return { hostname: hostname.toLowerCase(), port: config.port, tls: backendUsesTls(config) };
}

/** The OIDC login a backend's credentials are exchanged from, if any. */
export function oidcExchangeOf(auth: BackendAuthConfig | undefined): OidcExchangeConfig | undefined {
    if (auth?.type === "AWSCredentials" || auth?.type === "AzureCredentials") return auth.oidcExchange;
    if (auth?.type === "GCPCredentials") return auth.workloadIdentityFederation?.oidcExchange;
    return undefined;
}

/** The key of ai-gateway:apiKeys a backend's credentials come from, if any (at most one source: config/rules). */
export function authSecretName(auth: BackendAuthConfig | undefined): string | undefined {
    if (auth === undefined) return undefined;
    const own = auth.type === "AWSCredentials" ? auth.credentialsSecret : auth.secret;
    return own ?? oidcExchangeOf(auth)?.clientSecret;
}

/** The Secret key the controller reads: the OIDC client secret under `client-secret`, else the type's own. */
function secretKeyOf(auth: BackendAuthConfig): string {
    const own = auth.type === "AWSCredentials" ? auth.credentialsSecret : auth.secret;
    return own === undefined && oidcExchangeOf(auth) !== undefined ? OIDC_CLIENT_SECRET_KEY : SECRET_KEYS[auth.type];
}

/** Where Envoy Gateway's OIDC settings (and the AI Gateway's token exchange) read the client secret. */
export const OIDC_CLIENT_SECRET_KEY = "client-secret";

/** The CRD's `oidcExchangeToken`: the client-credentials login the controller makes, its secret in the backend's Secret. */
function oidcExchangeToken(o: OidcExchangeConfig, clientSecret: SecretObjectReference): BackendSecurityPolicyOIDC {
    return {
        oidc: {
            provider: { issuer: o.issuer, ...(o.tokenEndpoint !== undefined && { tokenEndpoint: o.tokenEndpoint }) },
            clientID: o.clientID,
            clientSecret,
            ...(o.scopes !== undefined && { scopes: [...o.scopes] }),
        },
    };
}

/** The CRD's `credentialOverride`; the fallback is always written, so the object says what happens without it. */
export function credentialOverrideSpec(o: CredentialOverrideConfig): BackendSecurityPolicyCredentialOverride {
    if (o.fromDynamicMetadata !== undefined) {
        const m = o.fromDynamicMetadata;
        return { fromDynamicMetadata: { namespace: m.namespace, ...(m.key !== undefined && { key: m.key }), fallbackToConfigured: m.fallbackToConfigured } };
    }
    const h = o.fromRequestHeaders;
    if (h === undefined) throw new Error("credentialOverride without a source (validation should have caught this)");
    return { fromRequestHeaders: { ...(h.header !== undefined && { header: h.header.toLowerCase() }), fallbackToConfigured: h.fallbackToConfigured } };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An Envoy Gateway Backend endpoint: an IP address as `ip`, anything else as `fqdn`. */
export function endpointOf({ hostname, port }: { hostname: string; port: number }): BackendEndpoint {
    return IPV4.test(hostname) ? { ip: { address: hostname, port } } : { fqdn: { hostname, port } };
}

function securityPolicySpec(
    auth: BackendAuthConfig,
    target: string,
    region: string | undefined,
    secretRef: SecretObjectReference | undefined,
): BackendSecurityPolicySpec {
    const base = { type: auth.type, targetRefs: [{ group: "aigateway.envoyproxy.io" as const, kind: "AIServiceBackend" as const, name: target }] };
    const ref = () => {
        if (secretRef === undefined) throw new Error(`${auth.type} needs a Secret (validation should have caught this)`);
        return secretRef;
    };
    switch (auth.type) {
        case "APIKey":
            return { ...base, apiKey: { secretRef: ref() } };
        case "AzureAPIKey":
            return { ...base, azureAPIKey: { secretRef: ref() } };
        case "AnthropicAPIKey":
            return { ...base, anthropicAPIKey: { secretRef: ref() } };
        case "AWSCredentials": {
            if (region === undefined) throw new Error("AWS backend without a region (validation should have caught this)");
            // Without a credentials file or an OIDC exchange the AWS SDK default chain applies (EKS Pod Identity, IRSA).
            const file = auth.credentialsSecret !== undefined ? { credentialsFile: { secretRef: ref(), ...(auth.profile !== undefined && { profile: auth.profile }) } } : {};
            const exchange = auth.oidcExchange !== undefined ? { oidcExchangeToken: { ...oidcExchangeToken(auth.oidcExchange, ref()), awsRoleArn: auth.oidcExchange.roleArn } } : {};
            return { ...base, awsCredentials: { region, ...file, ...exchange } };
        }
        case "AzureCredentials":
            return {
                ...base,
                azureCredentials: {
                    clientID: auth.clientID,
                    tenantID: auth.tenantID,
                    ...(auth.oidcExchange !== undefined ? { oidcExchangeToken: oidcExchangeToken(auth.oidcExchange, ref()) } : { clientSecretRef: ref() }),
                },
            };
        case "GCPCredentials": {
            // Without a service-account key or a federation, Application Default Credentials (GKE Workload Identity).
            const wif = auth.workloadIdentityFederation;
            return {
                ...base,
                gcpCredentials: {
                    projectName: auth.projectName,
                    region: auth.region,
                    ...(auth.secret !== undefined && { credentialsFile: { secretRef: ref() } }),
                    ...(wif !== undefined && {
                        workloadIdentityFederationConfig: {
                            projectID: wif.projectID,
                            workloadIdentityPoolName: wif.poolName,
                            workloadIdentityProviderName: wif.providerName,
                            oidcExchangeToken: oidcExchangeToken(wif.oidcExchange, ref()),
                            ...(wif.serviceAccount !== undefined && { serviceAccountImpersonation: { serviceAccountName: wif.serviceAccount } }),
                        },
                    }),
                },
            };
        }
    }
}

export interface BackendInput {
    /** The backend's key in ai-gateway:backends. */
    key: string;
    config: BackendConfig;
    /** Every object lives in the gateway namespace, next to the routes that reference them. */
    gateway: GatewayRef;
    /** ai-gateway:aws.region */
    awsRegion?: string;
    /** The names of its objects: the plan's (backendNames). */
    names: BackendNames;
}

/** The Secret a BackendSecurityPolicy reads, and which ai-gateway:apiKeys entry fills it. */
export interface BackendSecret {
    name: string;
    namespace: string;
    /** Data key the controller reads. */
    key: string;
    /** Key of ai-gateway:apiKeys holding the value. */
    apiKey: string;
}

export interface BackendObjects {
    endpoint: Endpoint;
    backend: Manifest<"Backend">;
    serviceBackend: Manifest<"AIServiceBackend">;
    tlsPolicy?: Manifest<"BackendTLSPolicy">;
    securityPolicy?: Manifest<"BackendSecurityPolicy">;
    secret?: BackendSecret;
    quotaPolicy?: Manifest<"QuotaPolicy">;
    /** The ConfigMap holding tls.caCertificate.pem (a CA certificate is public), under `ca.crt`. */
    caConfigMap?: { name: string; namespace: string; data: Record<string, string> };
}

/** Everything one entry of ai-gateway:backends becomes. */
export function backendObjects(input: BackendInput): BackendObjects {
    const { config, gateway } = input;
    const namespace = gateway.namespace;
    const { names } = input;
    const endpoint = backendEndpoint(config, input.awsRegion);
    const version = config.version ?? DEFAULT_SCHEMA_VERSIONS[config.schema];

    const objects: BackendObjects = {
        endpoint,
        backend: manifest("Backend", { name: names.backend, namespace }, { endpoints: [endpointOf(endpoint)], ...backendTlsSection(config) }),
        serviceBackend: manifest(
            "AIServiceBackend",
            { name: names.backend, namespace },
            {
                schema: {
                    name: config.schema,
                    ...(version !== undefined && { version }),
                    ...(config.prefix !== undefined && { prefix: config.prefix }),
                },
                // Both set explicitly: the CRD defaults (core group, Service) fail its validation.
                backendRef: { group: "gateway.envoyproxy.io", kind: "Backend", name: names.backend },
                ...mutationSpec(config.headers, config.body),
            },
        ),
    };
    if (endpoint.tls) {
        objects.tlsPolicy = manifest(
            "BackendTLSPolicy",
            { name: names.tlsPolicy, namespace },
            {
                targetRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: names.backend }],
                validation: { hostname: endpoint.hostname, ...tlsValidationTrust(config, names.caConfigMap) },
            },
        );
        const pem = backendTlsSettings(config)?.caCertificate?.pem;
        if (pem !== undefined) objects.caConfigMap = { name: names.caConfigMap, namespace, data: { [CA_CERTIFICATE_KEY]: pem } };
    }
    if (Object.keys(config.quotas ?? {}).length > 0) {
        objects.quotaPolicy = manifest("QuotaPolicy", { name: names.quotaPolicy, namespace }, quotaPolicySpec(names.backend, config.quotas!));
    }
    const auth = config.auth;
    if (auth !== undefined) {
        const apiKey = authSecretName(auth);
        if (apiKey !== undefined) objects.secret = { name: names.auth, namespace, key: secretKeyOf(auth), apiKey };
        const secretRef = objects.secret && { name: objects.secret.name, namespace };
        const spec = securityPolicySpec(auth, names.backend, awsRegionOf(config, input.awsRegion), secretRef);
        if (config.credentialOverride !== undefined) spec.credentialOverride = credentialOverrideSpec(config.credentialOverride);
        objects.securityPolicy = manifest("BackendSecurityPolicy", { name: names.auth, namespace }, spec);
    }
    return objects;
}
