// Request and response types of DeviceServiceInvocation. Field names are the platform's wire names.

export {};
