// Request and response types of DeviceGroupManagement. Field names are the platform's wire names.

export {};
