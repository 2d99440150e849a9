import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The database that holds the profiles (the layout `segment import` writes) and the saved-segment
 * catalogue: MariaDB/MySQL, PostgreSQL or a SQLite file. The role says whether the nodes may export
 * profile data (only admins may). Tested by the nodes' `segmentsDatabaseConnectionTest`, which
 * connects and reads the layout.
 */
export class SegmentsDatabaseApi implements ICredentialType {
  name = 'segmentsDatabaseApi';

  displayName = 'Segments Database API';

  documentationUrl = 'https://github.com/n8n-nodes-segments/n8n-nodes-segments#n8n';

  icon = { light: 'file:segments.svg', dark: 'file:segments.dark.svg' } as const;

  properties: INodeProperties[] = [
    {
      displayName: 'Database Type',
      name: 'client',
      type: 'options',
      options: [
        { name: 'MariaDB / MySQL', value: 'mysql' },
        { name: 'PostgreSQL', value: 'postgres' },
        { name: 'SQLite File', value: 'sqlite' },
      ],
      default: 'postgres',
    },
    {
      displayName: 'File',
      name: 'file',
      type: 'string',
      default: '',
      placeholder: '/data/segments.db',
      description: 'Path of the SQLite database file on the n8n server (it must exist)',
      displayOptions: { show: { client: ['sqlite'] } },
    },
    { displayName: 'Host', name: 'host', type: 'string', default: 'localhost', displayOptions: { show: { client: ['mysql', 'postgres'] } } },
    {
      displayName: 'Port',
      name: 'port',
      type: 'number',
      default: 5432,
      description: 'Usually 5432 for PostgreSQL and 3306 for MariaDB/MySQL',
      displayOptions: { show: { client: ['mysql', 'postgres'] } },
    },
    { displayName: 'Database', name: 'database', type: 'string', default: 'segments', displayOptions: { show: { client: ['mysql', 'postgres'] } } },
    { displayName: 'User', name: 'user', type: 'string', default: '', displayOptions: { show: { client: ['mysql', 'postgres'] } } },
    {
      displayName: 'Password',
      name: 'password',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      displayOptions: { show: { client: ['mysql', 'postgres'] } },
    },
    {
      displayName: 'SSL',
      name: 'ssl',
      type: 'options',
      options: [
        { name: 'Disable', value: 'disable' },
        { name: 'Require', value: 'require' },
        { name: 'Require and Verify the Certificate', value: 'verify' },
      ],
      default: 'disable',
      displayOptions: { show: { client: ['mysql', 'postgres'] } },
    },
    {
      displayName: 'Role',
      name: 'role',
      type: 'options',
      options: [
        { name: 'Admin', value: 'admin', description: 'May export profile data' },
        { name: 'Member', value: 'member', description: 'May filter and count, not export' },
      ],
      default: 'member',
      description: 'What the people who use this credential may do: only admins may export profiles',
    },
  ];
}
