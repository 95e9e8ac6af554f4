// Request and response types of DataCollection. Field names are the platform's wire names.

export {};
