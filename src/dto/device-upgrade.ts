// Request and response types of DeviceUpgrade. Field names are the platform's wire names.

export {};
