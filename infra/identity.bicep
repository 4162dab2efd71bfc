// The workload identity of the platform's pods on AKS: a user-assigned managed identity trusted
// for the Kubernetes service account through a federated credential, so DefaultAzureCredential in
// the pods gets Entra ID tokens without any secret (the AKS workload identity webhook injects
// AZURE_CLIENT_ID, AZURE_TENANT_ID and the token file into pods of that service account).
@description('Name of the managed identity (3-128 characters: letters, digits, hyphens, underscores).')
@minLength(3)
@maxLength(128)
param name string

@description('Azure region of the identity.')
param location string = resourceGroup().location

@description('OIDC issuer URL of the AKS cluster (az aks show --query oidcIssuerProfile.issuerUrl).')
param oidcIssuerUrl string

@description('Kubernetes namespace of the platform\'s service account.')
param serviceAccountNamespace string

@description('Kubernetes service account the platform\'s pods run as.')
param serviceAccountName string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
}

resource federation 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: identity
  name: 'aks-${serviceAccountNamespace}-${serviceAccountName}'
  properties: {
    issuer: oidcIssuerUrl
    subject: 'system:serviceaccount:${serviceAccountNamespace}:${serviceAccountName}'
    audiences: ['api://AzureADTokenExchange']
  }
}

@description('Client id of the identity: the service account annotation azure.workload.identity/client-id.')
output clientId string = identity.properties.clientId

@description('Object id the role assignments name.')
output principalId string = identity.properties.principalId

output tenantId string = identity.properties.tenantId
