{{/* Chart name. */}}
{{- define "stagecoach.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: release + chart, at most 63 characters. */}}
{{- define "stagecoach.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Common labels. */}}
{{- define "stagecoach.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "stagecoach.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "api"). */}}
{{- define "stagecoach.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stagecoach.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "stagecoach.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "stagecoach.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "stagecoach.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret the pods read: the user's existing one, or ours. */}}
{{- define "stagecoach.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- include "stagecoach.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* Non-secret environment (ConfigMap data). Empty values are left out: unset means default. */}}
{{- define "stagecoach.configData" -}}
NODE_ENV: production
HOST: "0.0.0.0"
PORT: "4000"
METRICS_PORT: {{ .Values.metrics.port | quote }}
DATA_DIR: /data
SITES_FILE: /etc/stagecoach/sites.yaml
PUBLIC_URL: {{ .Values.config.publicUrl | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
{{- with .Values.config.allowedMethods }}
ALLOWED_METHODS: {{ join "," . | quote }}
{{- end }}
{{- with .Values.config.adminEmails }}
ADMIN_EMAILS: {{ join "," . | quote }}
{{- end }}
FILE_TOOL: {{ .Values.config.fileTool | quote }}
WORKER_CONCURRENCY: {{ .Values.config.workerConcurrency | quote }}
STAGING_MAX_ATTEMPTS: {{ .Values.config.stagingMaxAttempts | quote }}
MAX_ITEMS_PER_REQUEST: {{ .Values.config.maxItemsPerRequest | quote }}
DOWNLOAD_LINK_TTL: {{ .Values.config.downloadLinkTtl | quote }}
SESSION_TTL: {{ .Values.config.sessionTtl | quote }}
MAIL_FROM: {{ .Values.config.mailFrom | quote }}
TRUST_PROXY: {{ .Values.config.trustProxy | quote }}
GRAPHQL_INTROSPECTION: {{ .Values.config.graphqlIntrospection | quote }}
{{- with .Values.config.oidc.issuer }}
OIDC_ISSUER: {{ . | quote }}
{{- end }}
{{- with .Values.config.oidc.clientId }}
OIDC_CLIENT_ID: {{ . | quote }}
{{- end }}
OIDC_SCOPES: {{ .Values.config.oidc.scopes | quote }}
RATE_LIMIT_MUTATIONS: {{ .Values.config.rateLimits.mutationsPerMinute | quote }}
RATE_LIMIT_MUTATION_BURST: {{ .Values.config.rateLimits.mutationBurst | quote }}
RATE_LIMIT_LOGINS: {{ .Values.config.rateLimits.loginsPerMinute | quote }}
REDIS_CHANNEL_PREFIX: {{ .Values.config.redisChannelPrefix | quote }}
{{- with .Values.config.cartdPort }}
CARTD_PORT: {{ . | quote }}
{{- end }}
{{- range $k, $v := .Values.config.extraEnv }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{/* Secret environment (Secret stringData). */}}
{{- define "stagecoach.secretData" -}}
DATABASE_URL: {{ required "secrets.databaseUrl is required (or set secrets.existingSecret)" .Values.secrets.databaseUrl | quote }}
SESSION_SECRET: {{ required "secrets.sessionSecret is required (or set secrets.existingSecret)" .Values.secrets.sessionSecret | quote }}
{{- with .Values.secrets.oidcClientSecret }}
OIDC_CLIENT_SECRET: {{ . | quote }}
{{- end }}
{{- with .Values.secrets.smtpUrl }}
SMTP_URL: {{ . | quote }}
{{- end }}
{{- with .Values.secrets.signupWebhookUrl }}
SIGNUP_WEBHOOK_URL: {{ . | quote }}
{{- end }}
{{- with .Values.secrets.redisUrl }}
REDIS_URL: {{ . | quote }}
{{- end }}
{{- with .Values.secrets.slackSigningSecret }}
SLACK_SIGNING_SECRET: {{ . | quote }}
{{- end }}
{{- with .Values.secrets.slackBotToken }}
SLACK_BOT_TOKEN: {{ . | quote }}
{{- end }}
{{- range $k, $v := .Values.secrets.extra }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{/* One storage area as a pod volume: call with (dict "root" $ "name" "source" "s" .Values.storage.source). */}}
{{- define "stagecoach.storageVolume" -}}
- name: {{ .name }}
{{- if eq .s.type "hostPath" }}
  hostPath:
    path: {{ .s.hostPath.path | quote }}
    type: {{ .s.hostPath.type }}
{{- else if eq .s.type "nfs" }}
  nfs:
    server: {{ required (printf "storage.%s.nfs.server is required for type nfs" .name) .s.nfs.server | quote }}
    path: {{ .s.nfs.path | quote }}
    readOnly: {{ .s.readOnly }}
{{- else if eq .s.type "cephfs" }}
  cephfs:
    monitors:
      {{- toYaml (required (printf "storage.%s.cephfs.monitors is required for type cephfs" .name) .s.cephfs.monitors) | nindent 6 }}
    path: {{ .s.cephfs.path | quote }}
    user: {{ .s.cephfs.user | quote }}
    {{- with .s.cephfs.secretName }}
    secretRef:
      name: {{ . }}
    {{- end }}
    readOnly: {{ .s.readOnly }}
{{- else if eq .s.type "emptyDir" }}
  emptyDir: {}
{{- else if eq .s.type "existingClaim" }}
  persistentVolumeClaim:
    claimName: {{ required (printf "storage.%s.existingClaim is required for type existingClaim" .name) .s.existingClaim }}
{{- else }}
  persistentVolumeClaim:
    claimName: {{ include "stagecoach.fullname" .root }}-{{ .name }}
{{- end }}
{{- end -}}

{{/* Volumes shared by api and worker pods. */}}
{{- define "stagecoach.volumes" -}}
{{ include "stagecoach.storageVolume" (dict "root" . "name" "source" "s" .Values.storage.source) }}
{{ include "stagecoach.storageVolume" (dict "root" . "name" "users" "s" .Values.storage.userArea) }}
- name: sites
  configMap:
    name: {{ include "stagecoach.fullname" . }}-sites
- name: data
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- with .Values.storage.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "stagecoach.volumeMounts" -}}
- name: source
  mountPath: {{ .Values.storage.source.mountPath }}
  readOnly: {{ .Values.storage.source.readOnly }}
  {{- with .Values.storage.source.subPath }}
  subPath: {{ . }}
  {{- end }}
- name: users
  mountPath: {{ .Values.storage.userArea.mountPath }}
  readOnly: {{ .Values.storage.userArea.readOnly }}
  {{- with .Values.storage.userArea.subPath }}
  subPath: {{ . }}
  {{- end }}
- name: sites
  mountPath: /etc/stagecoach
  readOnly: true
- name: data
  mountPath: /data
- name: tmp
  mountPath: /tmp
{{- with .Values.storage.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* envFrom of every Stagecoach container. */}}
{{- define "stagecoach.envFrom" -}}
- configMapRef:
    name: {{ include "stagecoach.fullname" . }}
- secretRef:
    name: {{ include "stagecoach.secretName" . }}
{{- end -}}

{{/* Pod annotations that roll the pods when configuration changes, plus Prometheus hints. */}}
{{- define "stagecoach.podAnnotations" -}}
checksum/config: {{ include "stagecoach.configData" . | sha256sum }}
checksum/sites: {{ include "stagecoach.sitesFile" . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret: {{ include "stagecoach.secretData" . | sha256sum }}
{{- end }}
{{- if .Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.metrics.port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end -}}

{{/* The sites file: the user's, or `archive` + `users` on the two storage mounts. */}}
{{- define "stagecoach.sitesFile" -}}
{{- if .Values.sites.file -}}
{{ .Values.sites.file }}
{{- else -}}
sites:
  - id: archive
    name: Archive
    kind: POSIX
    root: {{ .Values.storage.source.mountPath }}
    roles: [source]
    sandbox: {{ .Values.sites.sandbox }}
    default: true
  - id: users
    name: User areas
    kind: POSIX
    root: {{ .Values.storage.userArea.mountPath }}
    roles: [target]
{{- end -}}
{{- end -}}

{{/* Preferred spreading of one component's pods over nodes. */}}
{{- define "stagecoach.defaultAffinity" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "stagecoach.selectorLabels" . | nindent 12 }}
{{- end -}}
